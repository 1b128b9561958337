"""The translator: queue new texts from the log, ask the engine, record what it answers.

A round (`run_due`) first catches the queue up with the log, then claims due texts in
batches until none is due. For each batch:

1. texts whose outcome is already recorded (by a translator killed before it could empty
   its queue rows, or by a racing one) are dropped without asking the engine;
2. the engine is asked, `concurrency` requests at a time;
3. per case, translations (`MessageTranslated`) and refusals (`TranslationFailed`) are
   recorded through the application on the case's translations aggregate, which records a
   (text, language) once only: so two translators, or a replay after a crash, never double
   one. A text the engine cannot translate for now is put off with backoff.

The clock is passed in; only the role's loop reads it.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from sqlalchemy import Engine

from domain.languages import same_language
from domain.translations import Translations
from projections.tracking import catch_up
from services.application import Redress
from services.translator import metrics
from services.translator.backoff import Backoff
from services.translator.engines import (
    EngineRefused,
    EngineUnavailable,
    Translated,
    TranslationEngine,
)
from services.translator.jobs import NAME, Enqueue, Job, Queue

log = logging.getLogger(__name__)
ACTOR = {"role": "system", "id": "translator"}
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
    queue: Queue = field(init=False)

    def __post_init__(self) -> None:
        self.queue = Queue(self.db)
        self._enqueue = Enqueue(self.app.preferred_languages)
        self._slots = asyncio.Semaphore(self.concurrency)

    def catch_up(self) -> int:
        """Queue the texts logged since the tracked position."""
        return catch_up(self.db, self.app, NAME, self._enqueue.apply)

    async def run_due(self, now: Callable[[], datetime]) -> RoundReport:
        report = RoundReport()
        await asyncio.to_thread(self.catch_up)
        while jobs := await asyncio.to_thread(self.queue.claim, now(), self.lease, self.batch):
            report.claimed += len(jobs)
            await self._translate_batch(jobs, now, report)
        metrics.backlog.set(await asyncio.to_thread(self.queue.backlog))
        return report

    async def _translate_batch(
        self, jobs: list[Job], now: Callable[[], datetime], report: RoundReport
    ) -> None:
        fresh, settled = await asyncio.to_thread(self._unsettled, jobs)
        report.unchanged += len(settled)
        texts = await asyncio.to_thread(self._texts, fresh)
        outcomes = await asyncio.gather(*(self._ask(job, texts[job]) for job in fresh))
        by_case: dict[str, list[tuple[Job, Outcome]]] = defaultdict(list)
        finished = list(settled)
        for job, outcome in zip(fresh, outcomes, strict=True):
            if isinstance(outcome, EngineUnavailable):
                await asyncio.to_thread(self._defer, job, outcome, now())
                report.deferred += 1
            elif isinstance(outcome, Translated) and same_language(outcome.source, job.target):
                finished.append(job)  # written in that language after all: nothing to show
                report.unchanged += 1
            else:
                by_case[job.case_id].append((job, outcome))
        recorded = await asyncio.gather(
            *(
                asyncio.to_thread(self._record, case_id, done, now())
                for case_id, done in by_case.items()
            )
        )
        for done in recorded:
            finished.extend(job for job, _outcome in done)
            for job, outcome in done:
                if isinstance(outcome, Translated):
                    report.translated += 1
                    metrics.latency.observe((now() - job.written_at).total_seconds())
                else:
                    report.failed += 1
        await asyncio.to_thread(self.queue.done, finished)

    def _unsettled(self, jobs: list[Job]) -> tuple[list[Job], list[Job]]:
        """(jobs still to do, jobs whose outcome is already recorded)."""
        known: dict[str, Translations | None] = {}
        fresh, settled = [], []
        for job in jobs:
            if job.case_id not in known:
                known[job.case_id] = self.app.translations_of(UUID(job.case_id))
            translations = known[job.case_id]
            if translations is not None and translations.is_settled(job.message_id, job.target):
                settled.append(job)
            else:
                fresh.append(job)
        return fresh, settled

    def _texts(self, jobs: list[Job]) -> dict[Job, str]:
        read: dict[tuple[str, int, str], str] = {}
        for job in jobs:
            key = (job.case_id, job.source_version, job.field)
            if key not in read:
                read[key] = self.app.text_of(UUID(job.case_id), job.source_version, job.field)
        return {job: read[(job.case_id, job.source_version, job.field)] for job in jobs}

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

    def _record(
        self, case_id: str, done: Sequence[tuple[Job, Outcome]], at: datetime
    ) -> Sequence[tuple[Job, Outcome]]:
        def settle(translations: Translations) -> int:
            recorded = 0
            for job, outcome in done:
                if isinstance(outcome, Translated):
                    changed = translations.translated(
                        job.message_id, job.target, outcome.body, self.engine.name, at, ACTOR
                    )
                    if changed:
                        metrics.translated.labels(self.engine.name).inc()
                elif isinstance(outcome, EngineRefused):
                    changed = translations.failed(
                        job.message_id, job.target, outcome.reason[:500], at, ACTOR
                    )
                    if changed:
                        metrics.failures.inc()
                recorded += int(changed)
            return recorded

        self.app.record_translations(UUID(case_id), settle)
        return done
