"""The translator's queue (`translation_jobs`): filled from the event log, emptied as the
engine answers.

- `Enqueue.apply` follows the log with `projections.tracking.catch_up`: the rows for every
  new text are written in the transaction that advances the translator's position, so a
  crash can neither lose a text nor queue it twice (the key is text + language, too).
- `claim` takes due rows and moves their due time a lease ahead, in one short transaction
  (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so replicas share the queue without waiting for
  each other; SQLite has one writer at a time). A translator killed mid-batch leaves its rows
  to come due again when the lease runs out.
- `done` deletes rows whose outcome is recorded; `retry` puts a row off (backoff).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import (
    Connection,
    DateTime,
    Engine,
    Integer,
    bindparam,
    delete,
    func,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from domain.case_events import CaseEvent, Submitted
from domain.translations import Translations
from projections.tracking import transaction
from services.translator.tables import translation_jobs as T
from services.translator.tables import translation_totals
from services.translator.texts import Text, text_of

NAME = "translator"
Preferred = Callable[[UUID, Any], tuple[str | None, str | None]]  # (consumer's, store's)

CLAIM_SQL = """
UPDATE translation_jobs SET next_attempt_at = :lease_until
WHERE (case_id, message_id, target) IN (
    SELECT case_id, message_id, target FROM translation_jobs
    WHERE next_attempt_at <= :now      -- walks ix_translation_jobs_next_attempt_at
    ORDER BY next_attempt_at
    LIMIT :batch
    {lock})
RETURNING case_id, message_id, target, source_version, field, source, written_at, attempts
"""
# PostgreSQL: rows another translator is claiming are skipped, not waited for.
POSTGRES_LOCK = "FOR UPDATE SKIP LOCKED"


def utc(instant: datetime) -> datetime:
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


@dataclass(frozen=True)
class Job:
    case_id: str
    message_id: str
    target: str
    source_version: int
    field: str
    source: str | None
    written_at: datetime
    attempts: int

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.case_id, self.message_id, self.target)

    @property
    def source_key(self) -> tuple[str, int]:
        """The text's place in the log: (case, version)."""
        return (self.case_id, self.source_version)


LANGUAGES_KEPT = 100_000  # cases whose parties' languages are remembered; beyond, start again
TEXTS_KEPT = 20_000  # texts remembered from the log, so a batch need not read them back


class Enqueue:
    """Queue every new text for each party's language it is not written in."""

    def __init__(self, preferred: Preferred) -> None:
        self.preferred = preferred
        # A case's parties and their languages do not change: read them once per case.
        self._languages: dict[UUID, tuple[str | None, str | None]] = {}
        # The texts just queued, by (case, version): what the batches that claim them ask.
        self.texts: dict[tuple[str, int], str] = {}
        self.queued = 0  # rows written so far

    def languages(self, case_id: UUID, submitted: Any) -> tuple[str | None, str | None]:
        if (known := self._languages.get(case_id)) is not None:
            return known
        if len(self._languages) >= LANGUAGES_KEPT:
            self._languages.clear()
        found = self._languages[case_id] = self.preferred(case_id, submitted)
        return found

    def _remember(self, found: Text, body: str) -> None:
        if len(self.texts) >= TEXTS_KEPT:
            self.texts.clear()
        self.texts[(found.case_id, found.version)] = body

    def apply(self, connection: Connection, events: Sequence[Any]) -> None:
        count_outcomes(connection, events)
        rows = []
        for event in events:
            found = text_of(event) if isinstance(event, CaseEvent) else None
            if found is None:
                continue
            context = event if isinstance(event, Submitted) else None
            targets = found.targets(self.languages(event.originator_id, context))
            if targets:
                self._remember(found, str(getattr(event, found.field)))
            for target in targets:
                rows.append(
                    {
                        "case_id": found.case_id,
                        "message_id": found.message_id,
                        "target": target,
                        "source_version": found.version,
                        "field": found.field,
                        "source": found.language,
                        "written_at": utc(event.timestamp),
                        "attempts": 0,
                        "next_attempt_at": utc(event.timestamp),
                    }
                )
        if rows:
            insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
            connection.execute(insert(T).on_conflict_do_nothing(), rows)
            self.queued += len(rows)


def count_outcomes(connection: Connection, events: Sequence[Any]) -> None:
    """Add the translations and refusals in `events` to the dashboard's totals."""
    added = {
        "translated": sum(isinstance(e, Translations.MessageTranslated) for e in events),
        "failed": sum(isinstance(e, Translations.TranslationFailed) for e in events),
    }
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    for name, count in added.items():
        if count:
            upsert = insert(translation_totals).values(name=name, count=count)
            connection.execute(
                upsert.on_conflict_do_update(
                    index_elements=["name"],
                    set_={"count": translation_totals.c.count + count},
                )
            )


def figures(connection: Connection) -> dict[str, int]:
    """The dashboard's figures: texts waiting (`backlog`), those among them the engine
    failed for now (`retrying`), and totals translated and refused for good (`failed`)."""
    backlog, retrying = connection.execute(
        select(func.count(), func.count().filter(T.c.attempts > 0)).select_from(T)
    ).one()
    totals = dict(
        connection.execute(select(translation_totals.c.name, translation_totals.c.count)).all()
    )
    return {
        "backlog": int(backlog),
        "retrying": int(retrying),
        "translated": int(totals.get("translated", 0)),
        "failed": int(totals.get("failed", 0)),
    }


class Queue:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        lock = POSTGRES_LOCK if engine.dialect.name == "postgresql" else ""
        self._claim = (
            text(CLAIM_SQL.format(lock=lock))
            .bindparams(
                bindparam("now", type_=DateTime(timezone=True)),
                bindparam("lease_until", type_=DateTime(timezone=True)),
                bindparam("batch", type_=Integer),
            )
            .columns(written_at=DateTime(timezone=True))
        )

    def claim(self, now: datetime, lease: float, batch: int) -> list[Job]:
        until = now + timedelta(seconds=lease)
        with transaction(self.engine) as connection:
            rows = connection.execute(
                self._claim, {"now": now, "lease_until": until, "batch": batch}
            ).all()
        return [
            Job(
                r.case_id,
                r.message_id,
                r.target,
                r.source_version,
                r.field,
                r.source,
                utc(r.written_at),
                r.attempts,
            )
            for r in rows
        ]

    def done(self, jobs: Sequence[Job]) -> None:
        if not jobs:
            return
        keys = [j.key for j in jobs]
        with self.engine.begin() as connection:
            connection.execute(
                delete(T).where(tuple_(T.c.case_id, T.c.message_id, T.c.target).in_(keys))
            )

    def retry(self, job: Job, at: datetime, error: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(
                update(T)
                .where(
                    T.c.case_id == job.case_id,
                    T.c.message_id == job.message_id,
                    T.c.target == job.target,
                )
                .values(attempts=job.attempts + 1, next_attempt_at=at, last_error=error[:500])
            )

    def backlog(self) -> int:
        with self.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(T)).scalar_one())

    def outlook(self) -> tuple[int, datetime | None]:
        """How many texts wait, and when the first falls due (None: none waits)."""
        with self.engine.connect() as connection:
            count, due = connection.execute(
                select(func.count(), func.min(T.c.next_attempt_at)).select_from(T)
            ).one()
        return int(count), None if due is None else utc(due)

    def next_due(self) -> datetime | None:
        with self.engine.connect() as connection:
            found = connection.execute(select(func.min(T.c.next_attempt_at))).scalar()
        return None if found is None else utc(found)
