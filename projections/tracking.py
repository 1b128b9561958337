"""Following the event log: read a batch of notifications after a projection's position and
apply them in the same transaction that advances the position, so nothing is applied twice or
skipped after a crash."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection, Engine, insert, select, update

from projections.tables import projection_positions

BATCH = 500
Apply = Callable[[Connection, Sequence[DomainEventProtocol[Any]]], None]


def position(connection: Connection, name: str, *, lock: bool = False) -> int:
    query = select(projection_positions.c.position).where(projection_positions.c.name == name)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()  # one catch-up at a time per projection
    found = connection.execute(query).scalar()
    if found is None:
        connection.execute(insert(projection_positions).values(name=name, position=0))
        if lock and connection.dialect.name == "postgresql":
            connection.execute(query)
        return 0
    return int(found)


def catch_up(
    engine: Engine, app: Application[Any], name: str, apply: Apply, batch: int = BATCH
) -> int:
    """Apply every notification after the tracked position; returns how many were read."""
    total = 0
    while True:
        with engine.begin() as connection:
            start = position(connection, name, lock=True)
            notifications = app.recorder.select_notifications(start=start + 1, limit=batch)
            if not notifications:
                return total
            events = [app.mapper.to_domain_event(n) for n in notifications]
            apply(connection, events)
            connection.execute(
                update(projection_positions)
                .where(projection_positions.c.name == name)
                .values(position=notifications[-1].id)
            )
            total += len(notifications)
        if len(notifications) < batch:
            return total
