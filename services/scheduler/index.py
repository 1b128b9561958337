"""The deadline index: every pending deadline of every case, kept from the event log.

Each case event lists all of the case's pending deadlines after it, so the index replaces a
case's rows with the list of its latest event. It follows the log with `catch_up`, which
writes the rows and the tracked position in one transaction (exactly once, survives a crash).

A row the sweeper has acted on is marked `done` rather than deleted: until the index has
caught up with the event that firing wrote, the row keeps the case's later deadlines from
being claimed out of order, and an older event replayed meanwhile cannot make it due again.
A `done` mark sticks to one incarnation of a deadline (its id and due_at; a resumed deadline
keeps its id but gets a new due_at) and goes away once the log stops listing it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, delete, func, insert, select

from domain.case_events import CaseEvent
from projections.tables import projection_positions, scheduled_deadlines
from projections.tracking import catch_up as follow_log

NAME = "deadline_index"
T = scheduled_deadlines
Incarnation = tuple[str, str, datetime]  # case_id, deadline_id, due_at


def utc(instant: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant we store is UTC."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    """Replace each case's rows with the deadlines its last event in this batch lists."""
    latest: dict[str, CaseEvent] = {}
    for event in events:
        if isinstance(event, CaseEvent):  # store events carry no deadlines
            latest[str(event.originator_id)] = event
    if not latest:
        return
    cases = list(latest)
    done = _done_marks(connection, cases)
    connection.execute(delete(T).where(T.c.case_id.in_(cases)))
    rows = [
        {
            "case_id": case_id,
            "deadline_id": d["id"],
            "kind": d["kind"],
            "due_at": utc(d["due_at"]),
            "action": d["action"],
            "done": (case_id, d["id"], utc(d["due_at"])) in done,
        }
        for case_id, event in latest.items()
        for d in event.deadlines
    ]
    if rows:
        connection.execute(insert(T), rows)


def _done_marks(connection: Connection, cases: list[str]) -> set[Incarnation]:
    query = select(T.c.case_id, T.c.deadline_id, T.c.due_at, T.c.done).where(T.c.case_id.in_(cases))
    if connection.dialect.name == "postgresql":
        # Lock every row of these cases (not only the done ones: a row a sweeper is firing is
        # not done yet in our snapshot), so we wait for that sweeper and read its mark.
        query = query.with_for_update()
    rows = connection.execute(query).all()
    return {(r.case_id, r.deadline_id, utc(r.due_at)) for r in rows if r.done}


def catch_up(engine: Engine, app: Application[Any]) -> int:
    """Apply the log since the tracked position; returns how many notifications were read."""
    return follow_log(engine, app, NAME, apply_events)


def rebuild(engine: Engine, app: Application[Any]) -> int:
    """Drop the index and its position, then build it again from the whole log."""
    with engine.begin() as connection:
        connection.execute(delete(T))
        connection.execute(delete(projection_positions).where(projection_positions.c.name == NAME))
    return catch_up(engine, app)


def pending_count(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(
            connection.execute(select(func.count()).select_from(T).where(~T.c.done)).scalar_one()
        )


def next_due(engine: Engine) -> datetime | None:
    """The earliest due_at the sweeper has not acted on yet."""
    with engine.connect() as connection:
        found = connection.execute(select(func.min(T.c.due_at)).where(~T.c.done)).scalar()
    return None if found is None else utc(found)
