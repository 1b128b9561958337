"""The translator: queue new texts from the log, ask the engine, record what it answers.

A round (`run_due`) first catches the queue up with the log, then claims due texts in
batches until none is due; the role does both at once instead (`catch_up` in one task,
`drain_once` in several), so a text logged meanwhile need not wait for a round to end. For
each batch:

1. texts whose outcome is already recorded (by a translator killed before it could empty
   its queue rows, or by a racing one) are dropped without asking the engine;
2. the engine is asked, `concurrency` requests at a time;
3. per case, translations (`MessageTranslated`) and refusals (`TranslationFailed`) are
   recorded through the application on the case's translations aggregate, which records a
   (text, language) once only: so two translators, or a replay after a crash, never double
   one. Batches that finish while one records are recorded together next (together.py).
   A text the engine cannot translate for now is put off with backoff.

The clock is passed in; only the role's loop reads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from eventsourcing.persistence import IntegrityError
from sqlalchemy import Engine

from domain.languages import same_language
from domain.translations import Translations
from projections.tracking import catch_up
from services.application import Redress
from services.translator import metrics, reads
from services.translator.backoff import Backoff
from services.translator.engines import (
    EngineRefused,
    EngineUnavailable,
    Translated,
    TranslationEngine,
)
from services.translator.held import HeldTranslations
from services.translator.jobs import NAME, Enqueue, Job, Queue
from services.translator.together import RecordTogether

log = logging.getLogger(__name__)
ACTOR = {"role": "system", "id": "translator"}
PER_REQUEST = 25  # texts of one language asked in one request (DeepL takes up to 50)
Outcome = Translated | EngineRefused | EngineUnavailable


@dataclass
class RoundReport:
    translated: int = 0
    failed: int = 0  # refused for good
    deferred: int = 0  # retried later
    unchanged: int = 0  # already in the language, or already recorded
    claimed: int = 0


@dataclass
class Translator:
    app: Redress
    db: Engine
    engine: TranslationEngine
    backoff: Backoff = field(default_factory=Backoff)
    batch: int = 100
    lease: float = 30.0
    concurrency: int = 32
    workers: int = 4
    queue: Queue = field(init=False)

    def __post_init__(self) -> None:
        self.queue = Queue(self.db)
        self._enqueue = Enqueue(self.app.preferred_languages)
        self._slots = asyncio.Semaphore(self.concurrency)
        self._together = RecordTogether(self._record)  # no two recordings at once
        self.held = HeldTranslations(self.app)

    @property
    def queued(self) -> int:
        """Texts queued from the log by this translator so far (a rolled-back catch-up's
        included): a change tells there may be something new to claim."""
        return self._enqueue.queued

    def catch_up(self) -> int:
        """Queue the texts logged since the tracked position."""
        return catch_up(self.db, self.app, NAME, self._enqueue.apply)

    async def run_due(self, now: Callable[[], datetime]) -> RoundReport:
        """Queue what the log holds, then translate everything due, `workers` batches at a
        time (one batch waits on the engine while another reads or records)."""
        report = RoundReport()
        await asyncio.to_thread(self.catch_up)
        await asyncio.gather(*(self._drain(now, report) for _ in range(self.workers)))
        metrics.backlog.set(await asyncio.to_thread(self.queue.backlog))
        return report

    async def drain_once(self, now: Callable[[], datetime]) -> int:
        """Claim one batch of due texts and settle it; returns how many were claimed (the
        role's drainers call this while another task follows the log)."""
        jobs = await asyncio.to_thread(self.queue.claim, now(), self.lease, self.batch)
        if jobs:
            await self._translate_batch(jobs, now, RoundReport(claimed=len(jobs)))
        return len(jobs)

    async def _drain(self, now: Callable[[], datetime], report: RoundReport) -> None:
        while jobs := await asyncio.to_thread(self.queue.claim, now(), self.lease, self.batch):
            report.claimed += len(jobs)
            await self._translate_batch(jobs, now, report)

    async def _translate_batch(
        self, jobs: list[Job], now: Callable[[], datetime], report: RoundReport
    ) -> None:
        known, texts = await asyncio.to_thread(self._read, jobs)  # to skip settled ones
        fresh = [j for j in jobs if not _settled(known.get(j.case_id), j)]
        report.unchanged += len(jobs) - len(fresh)
        finished = [j for j in jobs if _settled(known.get(j.case_id), j)]
        outcomes = await self._ask_all(fresh, texts)
        to_record: list[tuple[Job, Outcome]] = []
        deferred: list[tuple[Job, EngineUnavailable]] = []
        for job, outcome in zip(fresh, outcomes, strict=True):
            if isinstance(outcome, EngineUnavailable):
                deferred.append((job, outcome))
            elif isinstance(outcome, Translated) and same_language(outcome.source, job.target):
                finished.append(job)  # written in that language after all: nothing to show
                report.unchanged += 1
            else:
                to_record.append((job, outcome))
        recorded, at = await self._together.record(to_record, now)
        self._count(recorded, at, report)
        report.unchanged += len(to_record) - len(recorded)  # recorded meanwhile by another
        finished.extend(job for job, _outcome in to_record)
        await asyncio.to_thread(self._finish, finished, deferred, at)
        report.deferred += len(deferred)

    def _read(self, jobs: list[Job]) -> tuple[dict[str, Translations], dict[Job, str]]:
        """The cases' translations so far, and each job's text (one query each on
        PostgreSQL)."""
        known = self.held.as_known(sorted({j.case_id for j in jobs}))
        texts = {j: t for j in jobs if (t := self._enqueue.texts.get(j.source_key)) is not None}
        unseen = [j for j in jobs if j not in texts]  # queued by another replica, or before
        wanted = [(UUID(j.case_id), j.source_version) for j in unseen]
        events = reads.source_events(self.app, wanted) if wanted else {}
        for job in unseen:
            event = events.get((UUID(job.case_id), job.source_version))
            if event is None:
                raise LookupError(f"case {job.case_id} has no event {job.source_version}")
            texts[job] = str(getattr(event, job.field))
        return known, texts

    def _record(self, done: list[tuple[Job, Outcome]], at: datetime) -> list[tuple[Job, Outcome]]:
        """Record the outcomes on fresh reads of the cases' translations, every case's in one
        save; if a racing translator wrote one of them meanwhile, case by case. Returns what
        was recorded (an outcome already recorded, by anyone, is not recorded again)."""
        by_case: dict[str, list[tuple[Job, Outcome]]] = defaultdict(list)
        for job, outcome in done:
            by_case[job.case_id].append((job, outcome))
        known = self.held.current(sorted(by_case))
        changed, recorded = [], []
        for case_id, outcomes in by_case.items():
            translations = known.get(case_id) or Translations.start(UUID(case_id))
            settled = self._settle(translations, outcomes, at)
            if settled:
                changed.append(translations)
                recorded.extend(settled)
        try:
            self.app.save(*changed)
            self.held.saved(changed)
        except IntegrityError:
            recorded = []
            for case_id, outcomes in by_case.items():
                recorded.extend(self._record_alone(case_id, outcomes, at))
        return recorded

    def _record_alone(
        self, case_id: str, outcomes: list[tuple[Job, Outcome]], at: datetime
    ) -> list[tuple[Job, Outcome]]:
        recorded: list[tuple[Job, Outcome]] = []

        def settle(translations: Translations) -> int:
            recorded[:] = self._settle(translations, outcomes, at)
            return len(recorded)

        self.app.record_translations(UUID(case_id), settle)
        return recorded

    def _settle(
        self, translations: Translations, outcomes: list[tuple[Job, Outcome]], at: datetime
    ) -> list[tuple[Job, Outcome]]:
        settled = []
        for job, outcome in outcomes:
            if isinstance(outcome, Translated):
                changed = translations.translated(
                    job.message_id, job.target, outcome.body, self.engine.name, at, ACTOR
                )
            else:
                reason = str(getattr(outcome, "reason", outcome))[:500]
                changed = translations.failed(job.message_id, job.target, reason, at, ACTOR)
            if changed:
                settled.append((job, outcome))
        return settled

    def _count(
        self, recorded: list[tuple[Job, Outcome]], at: datetime, report: RoundReport
    ) -> None:
        for job, outcome in recorded:
            if isinstance(outcome, Translated):
                report.translated += 1
                metrics.translated.labels(self.engine.name).inc()
                metrics.latency.observe((at - job.written_at).total_seconds())
            else:
                report.failed += 1
                metrics.failures.inc()

    def _finish(
        self, finished: list[Job], deferred: list[tuple[Job, EngineUnavailable]], at: datetime
    ) -> None:
        self.queue.done(finished)
        for job, failure in deferred:
            self._defer(job, failure, at)

    async def _ask_all(self, jobs: list[Job], texts: dict[Job, str]) -> list[Outcome]:
        """Every job's outcome, asking for texts of one language together (PER_REQUEST a
        request); when the engine refuses such a request, each text is asked alone, so only
        the text it cannot take is refused."""
        groups: dict[tuple[str | None, str], list[Job]] = defaultdict(list)
        for job in jobs:
            groups[(job.source, job.target)].append(job)
        chunks = [
            group[i : i + PER_REQUEST]
            for group in groups.values()
            for i in range(0, len(group), PER_REQUEST)
        ]
        answered = await asyncio.gather(*(self._ask_chunk(c, texts) for c in chunks))
        outcomes = {job: outcome for chunk in answered for job, outcome in chunk}
        return [outcomes[job] for job in jobs]

    async def _ask_chunk(
        self, chunk: list[Job], texts: dict[Job, str]
    ) -> list[tuple[Job, Outcome]]:
        first = chunk[0]
        async with self._slots:
            try:
                found = await self.engine.translate_many(
                    [texts[j] for j in chunk], first.source, first.target
                )
                return list(zip(chunk, found, strict=True))
            except EngineUnavailable as down:
                return [(job, down) for job in chunk]
            except EngineRefused as refused:
                if len(chunk) == 1:
                    return [(first, refused)]
        return [(job, await self._ask(job, texts[job])) for job in chunk]

    async def _ask(self, job: Job, text: str) -> Outcome:
        async with self._slots:
            try:
                return await self.engine.translate(text, job.source, job.target)
            except (EngineRefused, EngineUnavailable) as answer:
                return answer

    def _defer(self, job: Job, failure: EngineUnavailable, now: datetime) -> None:
        metrics.engine_errors.inc()
        at = self.backoff.next_attempt(job.attempts, now, failure.retry_after)
        log.info(
            "translation of case %s text %s into %s put off until %s: %s",
            job.case_id,
            job.message_id,
            job.target,
            at.isoformat(),
            failure.reason,
        )
        self.queue.retry(job, at, failure.reason)


def _settled(translations: Translations | None, job: Job) -> bool:
    return translations is not None and translations.is_settled(job.message_id, job.target)
