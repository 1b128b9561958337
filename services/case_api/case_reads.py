"""The current state of a case for GET /v1/cases/{id}: one index lookup when nothing changed.

Each API process keeps the answer it last built for a case: its version, its parties (for
the scope check) and its JSON body. A read asks PostgreSQL only for the case's latest version
(and its translations' latest version: a translation landing changes the body, not the case),
a primary-key lookup on asyncpg from the event loop (no thread hop), on a connection of the
process's one asyncpg pool (SQLAlchemy's, shared with the API's other reads), shared by the
reads that ask in the same turn of the event loop (services.case_api.version_lookups); it
answers from memory when that is the version it holds, so a read still sees every write
committed, by any process, before it began. Otherwise (or on SQLite, or if the lookup fails)
the application builds the state again on a worker thread, fast-forwarding its cached
aggregate (`redress_case_reads_built` counts those). A filing keeps the answer it gave: its
body is the read's body at that version, so the process that filed a case answers the first
read of it (the consumer's, the merchant's after the webhook) from memory too.

Behind a transaction pooler, the engine's asyncpg connections cache no statement
(services.db): the lookup is then parsed again with each run, in the same round of messages
as its execution, on one server connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from eventsourcing.application import LRUCache
from fastapi.concurrency import run_in_threadpool
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncEngine

from services.application import Redress
from services.case_api.version_lookups import VersionLookups
from services.eventstore.latest import latest_versions_sql

BUILT = Counter(
    "redress_case_reads_built",
    "Case reads the application built (the first in this process, or the case had moved), "
    "not answered from memory",
)


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
        engine: AsyncEngine | None,
        remember: int,
    ) -> None:
        """`engine`: PostgreSQL's asyncpg engine, whose pool the lookups borrow from (None on
        SQLite: every read goes through the application)."""
        self._redress, self._encode = redress, encode
        self._answers: LRUCache[UUID, CaseAnswer] | None = (
            LRUCache(maxsize=remember) if remember and engine is not None else None
        )
        self._lookups = (
            None if engine is None else VersionLookups(engine, latest_versions_sql(redress))
        )

    async def current(self, case_id: UUID) -> CaseAnswer:
        known = self._known(case_id)
        latest = await self.latest_versions(case_id) if known is not None else None
        if known is not None and latest == (known.version, known.translations):
            return known
        # Translations read before the state: the body holds at least these.
        translations = latest[1] if latest is not None else None
        BUILT.inc()
        state = await run_in_threadpool(self._redress.get_case, case_id)
        return self._keep(state, translations, self._encode(state))

    def filed(self, state: dict[str, Any], body: bytes) -> None:
        """Keep the answer a filing gave (`body`, the encoded `state`). A case just filed
        has no translations: the read's body at this version is the same bytes."""
        self._keep(state, None, body)

    def _keep(self, state: dict[str, Any], translations: int | None, body: bytes) -> CaseAnswer:
        answer = CaseAnswer(
            state["version"], translations, state["store_id"], state["consumer_id"], body
        )
        if self._answers is not None:
            self._answers.put(UUID(state["id"]), answer)
        return answer

    def _known(self, case_id: UUID) -> CaseAnswer | None:
        if self._answers is None:
            return None
        try:
            return self._answers.get(case_id)
        except KeyError:
            return None

    async def latest_versions(self, case_id: UUID) -> tuple[int, int | None] | None:
        """(the case's latest version, its translations' latest version or None): what a
        kept answer is compared with, here and in the audit reads (services.case_api.
        audit_reads). None when it cannot be asked (SQLite, or the lookup failed) or the case
        has no event."""
        return None if self._lookups is None else await self._lookups.latest(case_id)
