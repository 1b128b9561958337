"""The checkpointer: follow the log, keep each hash chain's head, sign the log's head every N
events and whenever the interval has passed since the last checkpoint with new events logged.

One transaction per batch reads the follower's row (locked `FOR UPDATE` on PostgreSQL; SQLite's
write lock is taken at `BEGIN IMMEDIATE`), folds the batch into the heads and the log digest,
writes the checkpoints that fall in it with their webhook deliveries, and advances the row: a
crash repeats the batch whole or not at all, and replicas take turns. Positions are complete
prefixes of the log (projections.tracking), so a checkpoint's position covers every event up to
it. The checkpoint table's primary key is the position: two signers of one position cannot
both commit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
            with transaction(self.engine) as connection:
                read, signed = self._step(connection)
            made.extend(signed)
            if read < self.batch:
                return made

    def _step(self, connection: Connection) -> tuple[int, list[dict[str, Any]]]:
        state = self._follower(connection)
        batch = read_batch(self.app, state.position, self.batch)
        pending: dict[UUID, tuple[str, int, int]] = {}
        made: list[dict[str, Any]] = []
        for position, event in zip(batch.ids, batch.events, strict=True) if batch else ():
            hashed = chain_hash_of(event)
            state.position, state.events = position, state.events + 1
            state.log_digest = digest_step(
                state.log_digest, position, event.originator_id, event.originator_version, hashed
            )
            if hashed is not None:
                pending[event.originator_id] = (hashed, event.originator_version, position)
            if state.events - state.since_events >= self.every:
                made.append(self._checkpoint(connection, state, pending))
        read = len(batch.ids) if batch else 0
        due = self.clock() - state.since_at >= self.interval
        if read < self.batch and due and state.position > state.since_position:
            made.append(self._checkpoint(connection, state, pending))
        self._save_heads(connection, pending)
        connection.execute(
            update(audit_follower)
            .where(audit_follower.c.name == FOLLOWER)
            .values(position=state.position, events=state.events, log_digest=state.log_digest)
        )
        return read, made

    def _idle(self) -> bool:
        """Nothing to read and nothing due, seen without a lock: an idle poll takes no write
        lock (SQLite has one for the whole database)."""
        f, c = audit_follower.c, audit_checkpoints.c
        with self.engine.connect() as connection:
            row = connection.execute(
                select(f.position, f.started_at).where(f.name == FOLLOWER)
            ).first()
            last = connection.execute(
                select(c.position, c.at).order_by(c.position.desc()).limit(1)
            ).first()
        if row is None or head(self.app) > row.position:
            return False
        since_position, since_at = (last.position, last.at) if last else (0, row.started_at)
        unsigned = row.position > since_position
        return not unsigned or self.clock() - _aware(since_at) < self.interval

    def _follower(self, connection: Connection) -> Follower:
        dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
        first = {
            "name": FOLLOWER,
            "position": 0,
            "events": 0,
            "log_digest": EMPTY_DIGEST,
            "started_at": self.clock(),
        }
        connection.execute(dialect.insert(audit_follower).on_conflict_do_nothing(), [first])
        query = select(audit_follower).where(audit_follower.c.name == FOLLOWER)
        if connection.dialect.name == "postgresql":
            query = query.with_for_update()
        row = connection.execute(query).one()
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

    def _checkpoint(
        self, connection: Connection, state: Follower, pending: dict[UUID, tuple[str, int, int]]
    ) -> dict[str, Any]:
        self._save_heads(connection, pending)
        pending.clear()
        heads = connection.execute(select(audit_heads.c.chain_id, audit_heads.c.head_hash)).all()
        at = self.clock()
        fields: dict[str, Any] = {
            "position": state.position,
            "events": state.events,
            "chains": len(heads),
            "root": merkle_root((UUID(chain), head) for chain, head in heads),
            "log_digest": state.log_digest,
            "at": at,
        }
        row = {**fields, **self.signer.sign(fields)}
        connection.execute(insert(audit_checkpoints).values(row))
        published = publish.public(_Row(row))
        publish.enqueue_webhooks(connection, published, at)
        state.since_events, state.since_position, state.since_at = state.events, state.position, at
        return published

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
