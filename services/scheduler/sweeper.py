"""The sweeper: claim due deadlines, send each case its timeout command, repeat until nothing
is due at or before `now` (so the deadlines a firing creates, already due after an outage,
fire in the same sweep at their own due_at).

Safety with any number of replicas (PostgreSQL):

- a claim locks rows with `FOR UPDATE SKIP LOCKED` for the whole batch, so two sweepers never
  hold the same deadline; a killed sweeper's locks go with its connection;
- the rows acted on are marked `done` in that same transaction, so once the locks are released
  nobody claims them again, even before the index has caught up with the events they wrote;
- only the earliest row of a case is claimable: a case's deadlines fire one at a time, in due
  order, each after the index has seen what the one before it did;
- a batch is fired in chunks of distinct cases, each read in two queries and saved in one
  transaction (`Redress.record_timeouts`), in parallel; a chunk that raises (a case changed
  meanwhile) saves nothing and is fired again in halves, down to the case at fault alone.
  Timeouts that also change a store are fired one by one, in due order;
- the case itself ignores a deadline that is no longer pending (the last line of defence,
  e.g. after a crash between the firing and the `done` mark): such a timeout is not counted.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

import orjson
from sqlalchemy import (
    Boolean,
    Connection,
    DateTime,
    Engine,
    Integer,
    String,
    bindparam,
    text,
)

from services.application import Redress
from services.scheduler import index, metrics

log = logging.getLogger(__name__)

CLAIM_SQL = """
SELECT d.case_id, d.deadline_id, d.kind, d.due_at, d.action
FROM scheduled_deadlines AS d
WHERE d.due_at <= :now              -- walks ix_scheduled_deadlines_pending, in order
  AND NOT d.done
  AND d.case_id NOT IN :skipped     -- cases whose timeout raised earlier in this sweep
  -- only a case's earliest row, done or not: its next deadline waits until the index has
  -- caught up with what the firing before it did (cancelled it, or chained one in front)
  AND NOT EXISTS (
      SELECT 1 FROM scheduled_deadlines AS e
      WHERE e.case_id = d.case_id
        AND (e.due_at < d.due_at OR (e.due_at = d.due_at AND e.deadline_id < d.deadline_id)))
ORDER BY d.due_at, d.case_id, d.deadline_id
LIMIT :batch
"""
# PostgreSQL: lock the claimed rows until we commit; rows another replica holds are skipped,
# not waited for, so replicas share the due set without blocking each other.
POSTGRES_LOCK = "FOR UPDATE OF d SKIP LOCKED"

# Timeouts that also change the store's record (domain.store.react_to_case: a warning, a
# protection payout). Fired in parallel, cases of one store would keep conflicting on it.
STORE_ACTIONS = frozenset({"warn_and_escalate", "protection_refund"})

# Cases whose timeouts are read together (two queries) and saved together (one transaction):
# a whole default batch. Each chunk costs PostgreSQL two reads and a commit, and chunks fired
# side by side share one interpreter lock: smaller ones cost more CPU than their overlap
# saves (README, twelfth pass). A chunk that raises is fired again in halves (`_fire_chunk`).
CHUNK = 500

MARK_DONE_SQL = """
UPDATE scheduled_deadlines SET done = :done
WHERE case_id = :case_id AND deadline_id = :deadline_id
"""
# PostgreSQL: a batch's marks in one statement (one round trip, one plan), not one per row,
# given as one JSON document, as the index's rows are (services.scheduler.index).
POSTGRES_MARK_DONE_SQL = """
UPDATE scheduled_deadlines AS d SET done = true
FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS f(case_id text, deadline_id text)
WHERE d.case_id = f.case_id AND d.deadline_id = f.deadline_id
"""


@dataclass(frozen=True)
class Claimed:
    case_id: str
    deadline_id: str
    kind: str
    due_at: datetime
    action: str


@dataclass
class SweepReport:
    fired: int = 0  # the case recorded the timeout
    ignored: int = 0  # no longer pending: the case changed nothing
    failed: int = 0  # the timeout raised; retried by the next sweep


class Sweeper:
    def __init__(
        self, app: Redress, engine: Engine, batch: int = 500, workers: int = 16, chunk: int = CHUNK
    ) -> None:
        self.app, self.engine, self.batch, self.chunk = app, engine, batch, chunk
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="timeout")
        # The index follows what the firings write while the next batches fire, rather than
        # all at once after the last (its transactions wait on rows a sweep still holds).
        self._follower = ThreadPoolExecutor(max_workers=1, thread_name_prefix="index")
        sql = CLAIM_SQL + (POSTGRES_LOCK if engine.dialect.name == "postgresql" else "")
        self._claim = (
            text(sql)
            .bindparams(
                bindparam("now", type_=DateTime(timezone=True)),
                bindparam("skipped", type_=String, expanding=True),
                bindparam("batch", type_=Integer),
            )
            .columns(due_at=DateTime(timezone=True))
        )
        self._postgres = engine.dialect.name == "postgresql"
        self._mark_done = text(MARK_DONE_SQL).bindparams(bindparam("done", type_=Boolean))
        self._mark_all_done = text(POSTGRES_MARK_DONE_SQL)

    def catch_up(self) -> int:
        return index.catch_up(self.engine, self.app)

    def run_due(self, now: datetime) -> SweepReport:
        """Fire everything due at or before `now`, chains included. `now` is the only time the
        sweep knows: the caller (the outermost loop) read it from the clock."""
        now = index.utc(now)
        report, skipped = SweepReport(), set[str]()
        while True:
            # Claim until nothing is claimable; then the index reads the rest of what the
            # firings wrote, which may make a case's next deadline (a chain) claimable.
            self.catch_up()
            claimed, following = 0, None
            while batch := self._sweep_batch(now, report, skipped):
                claimed += batch
                if following is None or following.done():
                    following = self._follow(following)
            if following is not None:
                following.result()
            if not claimed:
                return report

    def close(self) -> None:
        self._pool.shutdown(wait=True)
        self._follower.shutdown(wait=True)

    def _follow(self, before: Future[int] | None) -> Future[int]:
        """Start the index catching up, once the catch-up before has ended (its failure, the
        database gone, is the sweep's)."""
        if before is not None:
            before.result()
        return self._follower.submit(self.catch_up)

    def refresh_pending(self) -> int:
        """Set the pending gauge from the index (a count: the runner does it now and then)."""
        count = index.pending_count(self.engine)
        metrics.pending.set(count)
        return count

    def _sweep_batch(self, now: datetime, report: SweepReport, skipped: set[str]) -> int:
        """Claim, fire and mark one batch in one transaction; returns how many were claimed."""
        with self.engine.begin() as connection:
            claimed = self._claim_due(connection, now, skipped)
            acted = []
            for deadline, outcome in zip(claimed, self._fire_all(claimed, now), strict=True):
                if outcome is None:
                    report.failed += 1
                    skipped.add(deadline.case_id)
                    continue
                if outcome:
                    report.fired += 1
                else:
                    report.ignored += 1
                acted.append(deadline)
            if acted:
                self._mark(connection, acted)
        return len(claimed)

    def _mark(self, connection: Connection, acted: list[Claimed]) -> None:
        if self._postgres:
            keys = [{"case_id": d.case_id, "deadline_id": d.deadline_id} for d in acted]
            connection.execute(self._mark_all_done, {"rows": orjson.dumps(keys).decode()})
            return
        rows = [{"done": True, "case_id": d.case_id, "deadline_id": d.deadline_id} for d in acted]
        connection.execute(self._mark_done, rows)

    def _claim_due(self, connection: Connection, now: datetime, skipped: set[str]) -> list[Claimed]:
        rows = connection.execute(
            self._claim, {"now": now, "skipped": sorted(skipped), "batch": self.batch}
        )
        return [
            Claimed(r.case_id, r.deadline_id, r.kind, index.utc(r.due_at), r.action) for r in rows
        ]

    def _fire_all(self, claimed: list[Claimed], now: datetime) -> list[bool | None]:
        """Fire a batch (one deadline per case): chunks of cases, each saved in one
        transaction, in parallel; store-changing timeouts one by one in one lane, in due
        order."""
        serial = [d for d in claimed if d.action in STORE_ACTIONS]
        parallel = [d for d in claimed if d.action not in STORE_ACTIONS]
        chunks = [parallel[i : i + self.chunk] for i in range(0, len(parallel), self.chunk)]
        lane = self._pool.submit(lambda: [self._fire(d, now) for d in serial])
        outcomes: dict[Claimed, bool | None] = {}
        fired = self._pool.map(lambda c: self._fire_chunk(c, now), chunks)
        for chunk, chunk_fired in zip(chunks, fired, strict=True):
            outcomes.update(zip(chunk, chunk_fired, strict=True))
        outcomes.update(zip(serial, lane.result(), strict=True))
        return [outcomes[d] for d in claimed]

    def _fire_chunk(self, chunk: list[Claimed], now: datetime) -> list[bool | None]:
        """Many cases' timeouts in one save. If that raises (a case changed meanwhile, or is
        broken), each half is fired again the same way, read afresh, down to the one case
        that names the culprit: about 2·log2(n) saves for one bad case among n, not n."""
        if len(chunk) == 1:
            return [self._fire(chunk[0], now)]
        try:
            fired = self.app.record_timeouts([(UUID(d.case_id), d.deadline_id) for d in chunk], now)
        except Exception as error:
            log.info("%d timeouts saved together raised (%r); firing each half", len(chunk), error)
            half = len(chunk) // 2
            return self._fire_chunk(chunk[:half], now) + self._fire_chunk(chunk[half:], now)
        for deadline, changed in zip(chunk, fired, strict=True):
            if changed:
                self._count(deadline, now)
        return list(fired)

    def _fire(self, deadline: Claimed, now: datetime) -> bool | None:
        """True if the case recorded the timeout, False if it was no longer pending, None if
        it raised (logged with its context; the row stays pending)."""
        try:
            changed = self.app.record_timeout(UUID(deadline.case_id), deadline.deadline_id, now)
        except Exception:  # one broken case must not stop the others; retried next sweep
            metrics.failed.inc()
            log.exception(
                "timeout failed: case %s deadline %s (%s, %s, due %s)",
                deadline.case_id,
                deadline.deadline_id,
                deadline.kind,
                deadline.action,
                deadline.due_at.isoformat(),
            )
            return None
        if changed:
            self._count(deadline, now)
        return changed

    @staticmethod
    def _count(deadline: Claimed, now: datetime) -> None:
        metrics.fired.labels(deadline.action).inc()
        metrics.lateness.observe(max(0.0, (now - deadline.due_at).total_seconds()))
