"""The current state of a case for GET /v1/cases/{id}: one index lookup when nothing changed.

Each API process keeps the answer it last built for a case: its version, its parties (for
the scope check) and its JSON body. A read asks PostgreSQL only for the case's latest version
(and its translations' latest version: a translation landing changes the body, not the case),
a primary-key lookup on asyncpg from the event loop (no thread hop), and answers from memory
when that is the version it holds, so a read still sees every write committed, by any
process, before it began. Otherwise (or on SQLite, or if the lookup fails) the application
builds the state again on a worker thread, fast-forwarding its cached aggregate.

Behind a transaction pooler (`pooled`), asyncpg caches no statement: it then parses the
lookup again with each run, in the same round of messages as its execution, on one server
connection.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg
from eventsourcing.application import LRUCache
from fastapi.concurrency import run_in_threadpool

from domain.translations import translations_uuid
from services.application import Redress
from services.eventstore.latest import latest_versions_sql

log = logging.getLogger(__name__)
POOL_SIZE = 4  # each lookup takes well under a millisecond; more would only hold connections
TIMEOUT = 2.0  # seconds; beyond, the read takes the application's path (and its outage errors)


@dataclass(frozen=True)
class CaseAnswer:
    version: int
    translations: int | None  # the translations' version the body includes, at least
    store_id: str
    consumer_id: str
    body: bytes


class CaseReads:
    def __init__(
        self,
        redress: Redress,
        encode: Callable[[Any], bytes],
        postgres_dsn: str | None,
        remember: int,
        pooled: bool = False,
    ) -> None:
        self._redress, self._encode, self._dsn = redress, encode, postgres_dsn
        self._pooled = pooled
        self._answers: LRUCache[UUID, CaseAnswer] | None = (
            LRUCache(maxsize=remember) if remember and postgres_dsn else None
        )
        self._pool: asyncpg.Pool | None = None
        self._pool_lock = asyncio.Lock()
        self._latest = latest_versions_sql(redress, ("$1", "$2"))

    async def current(self, case_id: UUID) -> CaseAnswer:
        known = self._known(case_id)
        latest = await self._latest_version(case_id) if known is not None else None
        if known is not None and latest == (known.version, known.translations):
            return known
        # Translations read before the state: the body holds at least these.
        translations = latest[1] if latest is not None else None
        state = await run_in_threadpool(self._redress.get_case, case_id)
        answer = CaseAnswer(
            state["version"],
            translations,
            state["store_id"],
            state["consumer_id"],
            self._encode(state),
        )
        if self._answers is not None:
            self._answers.put(case_id, answer)
        return answer

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()

    def _known(self, case_id: UUID) -> CaseAnswer | None:
        if self._answers is None:
            return None
        try:
            return self._answers.get(case_id)
        except KeyError:
            return None

    async def _latest_version(self, case_id: UUID) -> tuple[int, int | None] | None:
        """(the case's latest version, its translations' latest version or None)."""
        try:
            pool = self._pool or await self._open_pool()
            async with pool.acquire(timeout=TIMEOUT) as connection:
                row = await connection.fetchrow(
                    self._latest, case_id, translations_uuid(case_id), timeout=TIMEOUT
                )
                return None if row is None or row[0] is None else (row[0], row[1])
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as error:
            log.warning("case version lookup failed (%s); reading through the application", error)
            return None

    async def _open_pool(self) -> asyncpg.Pool:
        async with self._pool_lock:
            if self._pool is None:
                self._pool = await asyncpg.create_pool(
                    self._dsn,
                    min_size=1,
                    max_size=POOL_SIZE,
                    timeout=TIMEOUT,
                    statement_cache_size=0 if self._pooled else 100,
                )
            return self._pool
