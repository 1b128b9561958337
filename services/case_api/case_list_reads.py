"""GET /v1/cases on asyncpg from the event loop, each page remembered until the list moves.

The route (services.case_api.case_list) catches the case list up with the log, then reads a
page on a worker thread: two thread hops and three queries on the synchronous engine. Here one
query asks for the list's position and the log's head, shared by every request that arrived
before it began (`Coalesced`); when the list is behind, the route's catch-up runs first, as it
does there. A page is keyed by everything that selects it (the
caller's scope, the filters, the order, the cursor, the limit) and kept with the position it
was read at: positions only grow and every change to the list advances its position, so the
same position means the same rows (a page read after the position was looked up, of rows as
of a later one, is never matched again). A miss reads the page with the same conditions and
order as the route, built into the same JSON with the same functions.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import asyncpg
from eventsourcing.application import LRUCache
from sqlalchemy.ext.asyncio import AsyncEngine

from projections import case_list as projection
from services.case_api.auth import Principal
from services.case_api.case_list import SUMMARY_COLUMNS, decode_cursor, encode_cursor, summary
from services.db import on_asyncpg

T = TypeVar("T")
TIMEOUT = 2.0  # seconds; beyond, the request goes to the route
PAGES = 512  # pages remembered per process (a 50-item page is about 20 kB)
COLUMNS = ", ".join(SUMMARY_COLUMNS)


@dataclass(frozen=True)
class ListQuery:
    """A validated GET /v1/cases query (the route's defaults filled in)."""

    platform: str | None
    store_id: str | None
    status: str | None
    resolution: str | None
    limit: int
    cursor: str | None
    sort: str


class CaseListReads:
    def __init__(
        self,
        engine: AsyncEngine,
        events_table: str,
        encode: Callable[[Any], bytes],
        catch_up: Callable[[], Awaitable[object]],
    ) -> None:
        self._engine, self._encode, self._catch_up = engine, encode, catch_up
        self._pages: LRUCache[tuple[object, ...], tuple[int, bytes]] = LRUCache(maxsize=PAGES)
        self._where = (
            "SELECT (SELECT position FROM projection_positions WHERE name = $1),"
            f" (SELECT max(notification_id) FROM {events_table})"
        )
        self._positions = Coalesced(lambda: on_asyncpg(self._engine, self._look_up))

    async def page(self, principal: Principal, query: ListQuery) -> bytes:
        """The page's JSON, as the route answers it (its refusals raise, as the route's do)."""
        key = (_scope_key(principal), *_fields(query))
        sql, arguments = page_sql(principal, query)  # a cursor not given out fails here
        position, head = await self._positions()
        if position < head:  # the route catches up first, too
            await self._catch_up()
            position, head = await self._positions()
        try:
            at, body = self._pages.get(key)
        except KeyError:
            at, body = -1, b""
        if at != position:
            body = await on_asyncpg(self._engine, lambda c: self._read(c, sql, arguments, query))
            self._pages.put(key, (position, body))
        return body

    async def _look_up(self, connection: asyncpg.Connection) -> tuple[int, int]:
        """(the list's position, the log's head)."""
        at, head = await connection.fetchrow(self._where, projection.NAME, timeout=TIMEOUT)
        return at or 0, head or 0

    async def _read(
        self, connection: asyncpg.Connection, sql: str, arguments: list[Any], query: ListQuery
    ) -> bytes:
        rows = await connection.fetch(sql, *arguments, timeout=TIMEOUT)
        items = [summary(row) for row in rows[: query.limit]]
        last = rows[query.limit - 1] if len(rows) > query.limit else None
        column = query.sort.lstrip("-")
        cursor = encode_cursor(query.sort, last[column], last["case_id"]) if last else None
        return self._encode({"items": items, "next_cursor": cursor})


class Coalesced(Generic[T]):
    """An async look-up shared by the callers that ask for it before it starts.

    Each caller gets the result of a look-up that began after it asked, so it sees what was
    committed before (as a look-up of its own would); while one runs, the callers that arrive
    wait together for the next, so at most one runs and one waits, whatever the request rate.
    """

    def __init__(self, look_up: Callable[[], Awaitable[T]]) -> None:
        self._look_up = look_up
        self._running: asyncio.Task[T] | None = None
        self._waiting: asyncio.Task[T] | None = None

    async def __call__(self) -> T:
        if self._waiting is None:
            self._waiting = asyncio.get_running_loop().create_task(self._next(self._running))
        # Shielded: a caller that is cancelled (its client hung up) leaves the others' look-up.
        return await asyncio.shield(self._waiting)

    async def _next(self, before: asyncio.Task[T] | None) -> T:
        if before is not None:
            await asyncio.wait([before])
        self._running, self._waiting = self._waiting, None  # later callers wait for the next
        return await self._look_up()


def page_sql(principal: Principal, query: ListQuery) -> tuple[str, list[Any]]:
    """The route's query (services.case_api.case_list) for asyncpg: `$n` parameters."""
    arguments: list[Any] = []

    def given(value: Any) -> str:
        arguments.append(value)
        return f"${len(arguments)}"

    conditions = []
    if principal.role == "consumer":
        conditions.append(f"consumer_id = {given(principal.subject)}")
    elif principal.role == "store":
        stores = list(principal.store_ids)
        conditions.append(f"store_id = ANY({given(stores)}::varchar[])" if stores else "false")
    elif principal.role not in ("staff", "ops"):
        conditions.append("false")
    for name in ("platform", "store_id", "status", "resolution"):
        if value := getattr(query, name):
            conditions.append(f"{name} = {given(value)}")
    column = query.sort.lstrip("-")
    descending = query.sort.startswith("-")
    if query.cursor:
        at, case_id = decode_cursor(query.cursor, query.sort)
        after = "<" if descending else ">"
        conditions.append(f"({column}, case_id) {after} ({given(at)}, {given(case_id)})")
    direction = "DESC" if descending else "ASC"
    sql = (
        f"SELECT {COLUMNS} FROM case_list"
        + (f" WHERE {' AND '.join(conditions)}" if conditions else "")
        + f" ORDER BY {column} {direction}, case_id {direction} LIMIT {given(query.limit + 1)}"
    )
    return sql, arguments


def _scope_key(principal: Principal) -> tuple[object, ...]:
    """What of the caller selects rows: its role, and its subject or stores where they do."""
    if principal.role == "consumer":
        return ("consumer", principal.subject)
    if principal.role == "store":
        return ("store", principal.store_ids)
    return (principal.role,)


def _fields(query: ListQuery) -> tuple[object, ...]:
    return (
        query.platform,
        query.store_id,
        query.status,
        query.resolution,
        query.limit,
        query.cursor,
        query.sort,
    )
