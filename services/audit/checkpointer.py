"""The checkpointer: follow the log, keep each hash chain's head, sign the log's head every N
events and whenever the interval has passed since the last checkpoint with new events logged.

One transaction per batch reads the follower's row (locked `FOR UPDATE` on PostgreSQL; SQLite's
write lock is taken at `BEGIN IMMEDIATE`), folds the batch into the heads and the log digest,
writes the checkpoints that fall in it with their webhook deliveries, and advances the row: a
crash repeats the batch whole or not at all, and replicas take turns. Positions are complete
prefixes of the log (projections.tracking), so a checkpoint's position covers every event up to
it. The checkpoint table's primary key is the position: two signers of one position cannot
both commit.

A step is worked out before the lock is taken (`_ahead`: the batch read and folded, the heads
read and each checkpoint signed) and written under it only if the follower is still as it was
read; otherwise it is worked out again under the lock. On SQLite the lock is the whole
database's, and appends wait while a step holds it: reading and folding 500 events and a
Merkle root over 10,000 chains take tens of milliseconds, the writes a few.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from domain.case_events import CaseEvent
from domain.translations import TranslationEvent
from projections.tracking import head, read_batch, transaction
from services.audit import publish
from services.audit.merkle import EMPTY_DIGEST, digest_step, merkle_root
from services.audit.signing import Signer
from services.audit.tables import FOLLOWER, audit_checkpoints, audit_follower, audit_heads

Clock = Callable[[], datetime]
BATCH = 500


def chain_hash_of(event: Any) -> str | None:
    """The hash an event carries in its aggregate's hash chain (None: it is in none)."""
    if isinstance(event, CaseEvent | TranslationEvent):
        return str(event.hash)
    return None


@dataclass
class Follower:
    position: int
    events: int
    log_digest: str
    since_events: int  # the event count at the last checkpoint (0 before the first)
    since_position: int
    since_at: datetime  # the last checkpoint's time (else when following began)


@dataclass
class _Step:
    """A batch folded from the follower as it was (`begun`): where the follower ends, the heads
    to save and the checkpoints to write (each row signed)."""

    begun: Follower
    read: int
    state: Follower
    pending: dict[UUID, tuple[str, int, int]]
    checkpoints: list[dict[str, Any]]


class Checkpointer:
    def __init__(
        self,
        app: Application[Any],
        engine: Engine,
        signer: Signer,
        clock: Clock,
        *,
        every: int = 1_000,
        interval: timedelta = timedelta(minutes=10),
        batch: int = BATCH,
    ) -> None:
        self.app, self.engine, self.signer, self.clock = app, engine, signer, clock
        self.every, self.interval, self.batch = every, interval, batch

    def run(self) -> list[dict[str, Any]]:
        """Follow the log to its head; the checkpoints signed on the way (published form)."""
        made: list[dict[str, Any]] = []
        if self._idle():
            return made
        while True:
            ahead = self._ahead()
            with transaction(self.engine) as connection:
                state = self._follower(connection)
                step = ahead if ahead is not None and ahead.begun == state else None
                if step is None:  # the first step, or another replica stepped meanwhile
                    step = self._fold(state, lambda: self._heads(connection))
                signed = self._write(connection, step)
            made.extend(signed)  # committed
            if step.read < self.batch:
                return made

    def _ahead(self) -> _Step | None:
        """The next step worked out without the lock. The follower is read before the heads:
        a step committing in between moves it, so heads newer than the follower read are
        never written from (`run` compares the follower under the lock)."""
        with self.engine.connect() as connection:
            state = self._state(connection)
            return None if state is None else self._fold(state, lambda: self._heads(connection))

    def _fold(self, state: Follower, heads_then: Callable[[], dict[str, str]]) -> _Step:
        """Fold the batch after `state` into the log digest and the chain heads, signing each
        checkpoint due on the way; `heads_then`: the heads as the table holds them at `state`
        (read only if a checkpoint falls in the batch)."""
        begun = replace(state)
        batch = read_batch(self.app, state.position, self.batch)
        pending: dict[UUID, tuple[str, int, int]] = {}
        heads: dict[str, str] | None = None
        made: list[dict[str, Any]] = []

        def sign() -> None:
            nonlocal heads
            heads = heads_then() if heads is None else heads
            heads.update((str(chain), hashed) for chain, (hashed, _v, _p) in pending.items())
            made.append(self._signed(state, heads))

        for position, event in zip(batch.ids, batch.events, strict=True) if batch else ():
            hashed = chain_hash_of(event)
            state.position, state.events = position, state.events + 1
            state.log_digest = digest_step(
                state.log_digest, position, event.originator_id, event.originator_version, hashed
            )
            if hashed is not None:
                pending[event.originator_id] = (hashed, event.originator_version, position)
            if state.events - state.since_events >= self.every:
                sign()
        read = len(batch.ids) if batch else 0
        if read < self.batch and self._interval_due(state):
            sign()
        return _Step(begun, read, state, pending, made)

    def _write(self, connection: Connection, step: _Step) -> list[dict[str, Any]]:
        """Write a step under the lock: its heads, its checkpoints and their webhooks, and the
        follower where it ends. Returns the checkpoints in published form."""
        self._save_heads(connection, step.pending)
        published = []
        for row in step.checkpoints:
            connection.execute(insert(audit_checkpoints).values(row))
            published.append(publish.public(_Row(row)))
            publish.enqueue_webhooks(connection, published[-1], row["at"])
        state = step.state
        connection.execute(
            update(audit_follower)
            .where(audit_follower.c.name == FOLLOWER)
            .values(position=state.position, events=state.events, log_digest=state.log_digest)
        )
        return published

    def _idle(self) -> bool:
        """Nothing to read and nothing due, seen without a lock: an idle poll takes no write
        lock (SQLite has one for the whole database)."""
        with self.engine.connect() as connection:
            state = self._state(connection)
        if state is None or head(self.app) > state.position:
            return False
        return not self._interval_due(state)

    def _interval_due(self, state: Follower) -> bool:
        """Events logged since the last checkpoint, and the interval passed since it."""
        return (
            state.position > state.since_position and self.clock() - state.since_at >= self.interval
        )

    def _follower(self, connection: Connection) -> Follower:
        """The follower's state, its row made if missing and locked until commit."""
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        first = {
            "name": FOLLOWER,
            "position": 0,
            "events": 0,
            "log_digest": EMPTY_DIGEST,
            "started_at": self.clock(),
        }
        connection.execute(dialect.insert(audit_follower).on_conflict_do_nothing(), [first])
        state = self._state(connection, lock=connection.dialect.name == "postgresql")
        assert state is not None  # inserted above
        return state

    def _state(self, connection: Connection, *, lock: bool = False) -> Follower | None:
        """The follower's state (None before its row exists)."""
        query = select(audit_follower).where(audit_follower.c.name == FOLLOWER)
        if lock:
            query = query.with_for_update()
        row = connection.execute(query).first()
        if row is None:
            return None
        c = audit_checkpoints.c
        last = connection.execute(
            select(c.position, c.events, c.at).order_by(c.position.desc()).limit(1)
        ).first()
        return Follower(
            int(row.position),
            int(row.events),
            row.log_digest,
            int(last.events) if last else 0,
            int(last.position) if last else 0,
            _aware(last.at if last else row.started_at),
        )

    def _signed(self, state: Follower, heads: dict[str, str]) -> dict[str, Any]:
        """The checkpoint row of the log's head at `state` over `heads`, signed; `state` then
        counts from it."""
        at = self.clock()
        fields: dict[str, Any] = {
            "position": state.position,
            "events": state.events,
            "chains": len(heads),
            "root": merkle_root((UUID(chain), head) for chain, head in heads.items()),
            "log_digest": state.log_digest,
            "at": at,
        }
        state.since_events, state.since_position, state.since_at = state.events, state.position, at
        return {**fields, **self.signer.sign(fields)}

    @staticmethod
    def _heads(connection: Connection) -> dict[str, str]:
        rows = connection.execute(select(audit_heads.c.chain_id, audit_heads.c.head_hash))
        return {chain: head for chain, head in rows}

    @staticmethod
    def _save_heads(connection: Connection, pending: dict[UUID, tuple[str, int, int]]) -> None:
        if not pending:
            return
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        rows = [
            {"chain_id": str(chain), "head_hash": h, "version": v, "position": p}
            for chain, (h, v, p) in pending.items()
        ]
        statement = dialect.insert(audit_heads)
        connection.execute(
            statement.on_conflict_do_update(
                index_elements=["chain_id"],
                set_={
                    "head_hash": statement.excluded.head_hash,
                    "version": statement.excluded.version,
                    "position": statement.excluded.position,
                },
            ),
            rows,
        )


class _Row:
    """A dict read like a result row (`public` takes either)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at
