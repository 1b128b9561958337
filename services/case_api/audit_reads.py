"""Audit reads of a case (its history, its state as of a past version) from memory when the
case has not changed.

Recorded events never change, so each API process keeps, per case, the events it has read
and the history answer built from them, and per past version the state's answer. A read asks
PostgreSQL only for the case's and its translations' latest versions (services.case_api.
case_reads, one index lookup): when nothing was recorded since, the kept answer is the answer;
otherwise only the events after those kept are read and decoded, and the answer is built
again. So a read still sees every write committed, by any process, before it began. Without
that lookup (SQLite, or the lookup failed), the application answers as it always did.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fastapi.concurrency import run_in_threadpool

from domain.case_events import CaseEvent
from domain.translations import TranslationEvent, translations_uuid
from services.application import CaseNotFound, Redress
from services.case_api.case_reads import CaseReads
from services.case_view import merged_history

# Events kept across all cases (a 1,000-event case keeps about 2 MB); the least recently
# read cases go first.
EVENT_BUDGET = 200_000
PAST_STATES = 1_000  # answers for past versions kept (each is one case body)


@dataclass
class CaseLog:
    events: list[CaseEvent]
    translations: list[TranslationEvent]
    history: bytes  # the answer to GET /history for these events

    @property
    def versions(self) -> tuple[int, int | None]:
        last = self.translations[-1].originator_version if self.translations else None
        return self.events[-1].originator_version, last

    @property
    def parties(self) -> tuple[str, str]:
        first = self.events[0].data
        return first["store_id"], first["consumer_id"]


class AuditReads:
    def __init__(
        self, redress: Redress, case_reads: CaseReads, encode: Callable[[Any], bytes]
    ) -> None:
        self._redress, self._case_reads, self._encode = redress, case_reads, encode
        self._logs: OrderedDict[UUID, CaseLog] = OrderedDict()
        self._kept_events = 0
        self._past: OrderedDict[tuple[UUID, int, int | None], bytes] = OrderedDict()
        self._lock = threading.Lock()

    async def history(self, case_id: UUID) -> tuple[tuple[str, str], bytes]:
        """(store_id, consumer_id) for the scope check, and the history's JSON."""
        latest = await self._case_reads.latest_versions(case_id)
        if latest is None:
            parties, entries = await run_in_threadpool(self._redress.history_with_parties, case_id)
            return parties, self._encode({"case_id": str(case_id), "events": entries})
        kept = self._kept(case_id)
        if kept is not None and kept.versions == latest:
            return kept.parties, kept.history
        log = await run_in_threadpool(self._read_on, case_id, kept)
        return log.parties, log.history

    async def past_state(self, case_id: UUID, version: int) -> tuple[bytes, int]:
        """The case's state as of `version`, with its translations, as JSON; and the version
        it is at (the latest, when `version` is beyond it)."""
        latest = await self._case_reads.latest_versions(case_id)
        key = (case_id, version, latest[1]) if latest is not None else None
        if key is not None:
            with self._lock:
                body = self._past.get(key)
                if body is not None:
                    self._past.move_to_end(key)
                    return body, version
        state = await run_in_threadpool(lambda: self._redress.get_case(case_id, version=version))
        body = self._encode(state)
        if key is not None and state["version"] == version:
            with self._lock:
                self._past[key] = body
                while len(self._past) > PAST_STATES:
                    self._past.popitem(last=False)
        return body, state["version"]

    def _kept(self, case_id: UUID) -> CaseLog | None:
        with self._lock:
            log = self._logs.get(case_id)
            if log is not None:
                self._logs.move_to_end(case_id)
            return log

    def _read_on(self, case_id: UUID, kept: CaseLog | None) -> CaseLog:
        """The case's log: the kept one and the events recorded after it (the translations'
        stream read first: a history holds at least the translations of its events)."""
        after, after_translations = kept.versions if kept is not None else (0, None)
        translations = self._redress.events.get(translations_uuid(case_id), gt=after_translations)
        new_translations = [e for e in translations if isinstance(e, TranslationEvent)]
        recorded = self._redress.events.get(case_id, gt=after or None)
        new = [e for e in recorded if isinstance(e, CaseEvent)]
        if kept is None and not new:
            raise CaseNotFound(str(case_id))
        events = (kept.events if kept else []) + new
        both = (kept.translations if kept else []) + new_translations
        body = self._encode({"case_id": str(case_id), "events": merged_history(events, both)})
        log = CaseLog(events, both, body)
        self._keep(case_id, log)
        return log

    def _keep(self, case_id: UUID, log: CaseLog) -> None:
        with self._lock:
            current = self._logs.get(case_id)
            if current is not None and current.versions[0] > log.versions[0]:
                return  # another read kept a later log meanwhile
            self._kept_events += len(log.events) - (len(current.events) if current else 0)
            self._logs[case_id] = log
            self._logs.move_to_end(case_id)
            while self._kept_events > EVENT_BUDGET and len(self._logs) > 1:
                _, dropped = self._logs.popitem(last=False)
                self._kept_events -= len(dropped.events)
