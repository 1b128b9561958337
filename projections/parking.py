"""A poison event never stalls the read models: it is parked, and the rest flow on.

A read model applies a batch inside a savepoint. If the batch fails for a reason in the data
(the database refuses a value, the projection meets a shape it cannot take), the savepoint is
rolled back and the batch applied again one event at a time: each event that fails alone is
recorded in `projection_parked` with its error, and skipped; the position moves past it as
past the others. A failure of the connection itself (the database went away) is not the
event's fault: it propagates, the whole transaction rolls back and the batch is retried later.

Parked events are listed by `redress projections parked`; `redress projections retry` applies
them again (after a fix), removing each one that now goes in. /readyz reports "degraded" while
any are parked, and `redress_projection_parked_events` counts them as they are parked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from eventsourcing.application import Application
from prometheus_client import Counter
from sqlalchemy import Connection, Engine, delete, func, insert, select, update
from sqlalchemy.exc import InterfaceError, OperationalError

from projections.tables import projection_parked

if TYPE_CHECKING:
    from projections.tracking import Projection

log = logging.getLogger(__name__)
PARKED = Counter(
    "redress_projection_parked_events",
    "Events a read model could not take, parked so that the rest flow on.",
    ["projection"],
)
Event = Any


@dataclass(frozen=True)
class Parked:
    projection: str
    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    error: str


def transient(failure: BaseException) -> bool:
    """A failure of the connection, not of the data: retried whole, never parked."""
    return isinstance(failure, OperationalError | InterfaceError)


def apply_or_park(
    connection: Connection,
    name: str,
    apply: Any,
    ids: Sequence[int],
    events: Sequence[Event],
) -> int:
    """Apply `events` (notification `ids`) to one read model; returns how many were parked."""
    try:
        with connection.begin_nested():
            apply(connection, events)
        return 0
    except Exception as failure:
        if transient(failure):
            raise
        log.warning("read model %s refused a batch (%r); applying it event by event", name, failure)
    parked = 0
    for notification_id, event in zip(ids, events, strict=True):
        try:
            with connection.begin_nested():
                apply(connection, [event])
        except Exception as failure:
            if transient(failure):
                raise
            park(connection, name, notification_id, event, failure)
            parked += 1
    return parked


def park(
    connection: Connection, name: str, notification_id: int, event: Event, failure: Exception
) -> None:
    log.error(
        "read model %s parked event %d (%s v%d): %r",
        name,
        notification_id,
        type(event).__name__,
        event.originator_version,
        failure,
    )
    connection.execute(
        insert(projection_parked).values(
            projection=name,
            notification_id=notification_id,
            originator_id=str(event.originator_id),
            originator_version=event.originator_version,
            topic=f"{type(event).__module__}:{type(event).__qualname__}",
            error=_described(failure),
        )
    )
    PARKED.labels(name).inc()


def parked(connection: Connection) -> list[Parked]:
    """Every parked event, in log order."""
    p = projection_parked.c
    rows = connection.execute(
        select(
            p.projection,
            p.notification_id,
            p.originator_id,
            p.originator_version,
            p.topic,
            p.error,
        ).order_by(p.notification_id, p.projection)
    ).all()
    return [Parked(*row) for row in rows]


def count(connection: Connection) -> int:
    found = connection.execute(select(func.count()).select_from(projection_parked)).scalar()
    return int(found or 0)


def retry(connection: Connection, entry: Parked, apply: Any, event: Event) -> bool:
    """Apply one parked event again; True (and unparked) if it went in, else its new error."""
    key = (projection_parked.c.projection == entry.projection) & (
        projection_parked.c.notification_id == entry.notification_id
    )
    try:
        with connection.begin_nested():
            apply(connection, [event])
    except Exception as failure:
        if transient(failure):
            raise
        connection.execute(update(projection_parked).where(key).values(error=_described(failure)))
        return False
    connection.execute(delete(projection_parked).where(key))
    return True


def _described(failure: Exception) -> str:
    return f"{type(failure).__name__}: {failure}"[:500]


def retry_parked(
    engine: Engine,
    app: Application[Any],
    projections: Sequence[Projection],
    only: int | None = None,
) -> tuple[int, int]:
    """Apply the parked events again (those of notification `only`, or all), each in its own
    transaction; (how many went in, how many are still parked)."""
    appliers = {p.name: p.apply for p in projections}
    with engine.connect() as connection:
        entries = [e for e in parked(connection) if only is None or e.notification_id == only]
    done = 0
    for entry in entries:
        if entry.projection not in appliers:
            continue
        [notification] = app.recorder.select_notifications(start=entry.notification_id, limit=1)
        event = app.mapper.to_domain_event(notification)
        with engine.begin() as connection:
            done += retry(connection, entry, appliers[entry.projection], event)
    return done, len(entries) - done
