"""The latest-version lookups of the case reads (services.case_api.case_reads), shared: every
read that asks in one turn of the event loop waits on one query, sent on the next turn, for
all of their cases.

A lookup borrowed a pooled connection and ran one query per read: about 120 µs of an API
worker's CPU a read, beside 200 to 300 µs for the rest of it. Reads that arrive together
(several connections' requests parsed in one turn, a burst, a closed loop) now share the
borrowing and the round trip. Each read's query is still sent after the read began, so it
sees every write committed before then, by any process. Nothing waits for company: a read
alone is looked up on the next turn of the loop, microseconds later.
"""

from __future__ import annotations

import asyncio
import logging
from uuid import UUID

import asyncpg
from prometheus_client import Histogram
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.translations import translations_uuid
from services.db import on_asyncpg

log = logging.getLogger(__name__)
TIMEOUT = 2.0  # seconds; beyond, the reads take the application's path (and its outage errors)
# A lookup failing with these is logged and its reads go through the application.
LOOKUP_ERRORS = (
    asyncpg.PostgresError,
    asyncpg.InterfaceError,
    DBAPIError,  # the pool could not connect
    PoolTimeout,
    OSError,
    TimeoutError,
)
READS_A_LOOKUP = Histogram(
    "redress_case_version_lookup_reads",
    "Case reads answered by one latest-version lookup",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)

Latest = tuple[int, int | None] | None  # (the case's version, its translations'), or None


class VersionLookups:
    def __init__(self, engine: AsyncEngine, sql: str) -> None:
        """`sql`: services.eventstore.latest's query, on the API's asyncpg engine."""
        self._engine, self._sql = engine, sql
        self._waiting: list[tuple[UUID, asyncio.Future[Latest]]] | None = None
        self._running: set[asyncio.Task[None]] = set()  # the loop keeps only weak references

    async def latest(self, case_id: UUID) -> Latest:
        """(the case's latest version, its translations' latest version or None); None when
        it cannot be asked (the lookup failed) or the case has no event."""
        loop = asyncio.get_running_loop()
        if self._waiting is None:
            self._waiting = []
            loop.call_soon(self._send)  # after the reads of this turn have joined
        answer: asyncio.Future[Latest] = loop.create_future()
        self._waiting.append((case_id, answer))
        return await answer

    def _send(self) -> None:
        waiting, self._waiting = self._waiting or [], None
        task = asyncio.ensure_future(self._look_up(waiting))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def _look_up(self, waiting: list[tuple[UUID, asyncio.Future[Latest]]]) -> None:
        """One query for every waiting read. A read that hung up meanwhile is skipped; any
        other failure reaches every read (a lookup error: each goes through the application)."""
        cases = [case_id for case_id, _answer in waiting]
        READS_A_LOOKUP.observe(len(cases))
        try:
            rows = await on_asyncpg(
                self._engine,
                lambda c: c.fetch(
                    self._sql, cases, [translations_uuid(i) for i in cases], timeout=TIMEOUT
                ),
            )
        except LOOKUP_ERRORS as error:
            log.warning("case version lookup failed (%s); reading through the application", error)
            rows = [(None, None)] * len(cases)
        except BaseException as failure:  # cancelled at shutdown, or a bug: no read hangs
            for _case_id, answer in waiting:
                if answer.done():
                    continue
                if isinstance(failure, asyncio.CancelledError):
                    answer.cancel()
                else:
                    answer.set_exception(failure)
            raise
        for (_case_id, answer), row in zip(waiting, rows, strict=True):
            if not answer.done():
                answer.set_result(None if row[0] is None else (row[0], row[1]))
