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

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import orjson
from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, delete, func, insert, select, text

from domain.case_events import CaseEvent
from projections.tables import projection_positions, scheduled_deadlines
from projections.tracking import catch_up as follow_log

NAME = "deadline_index"
T = scheduled_deadlines
READS = frozenset({"deadlines"})  # all `apply_events` reads of an event, beside its case's id
Row = dict[str, Any]  # a row of the index, as its columns name it


def utc(instant: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant we store is UTC."""
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)


def _mark(rows: list[Row], done: Iterable[Any]) -> None:
    """Keep the done marks (of rows read back) on the rows that are the same incarnation."""
    marked = {(r.case_id, r.deadline_id, utc(r.due_at)) for r in done}
    for row in rows:
        row["done"] = (row["case_id"], row["deadline_id"], row["due_at"]) in marked


# PostgreSQL: one statement takes the cases' rows out and hands back their done marks, one
# puts the new rows in. The delete locks every row of these cases (not only the done ones: a
# row a sweeper is firing is not done yet in our snapshot), so it waits for that sweeper and
# hands back the row as the sweeper left it, marked. Both take their rows as one JSON
# document: psycopg adapts a list element by element in Python (a third of a catch-up's
# CPU), while orjson writes the document at once and PostgreSQL parses it in C.
POSTGRES_DELETE = text(
    """
    WITH gone AS (
        DELETE FROM scheduled_deadlines
        WHERE case_id IN (SELECT jsonb_array_elements_text(CAST(:cases AS jsonb)))
        RETURNING case_id, deadline_id, due_at, done)
    SELECT case_id, deadline_id, due_at FROM gone WHERE done
    """
)
POSTGRES_INSERT = text(
    """
    INSERT INTO scheduled_deadlines (case_id, deadline_id, kind, due_at, action, done)
    SELECT case_id, deadline_id, kind, due_at, action, done
    FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
        case_id text, deadline_id text, kind text, due_at timestamptz, action text, done boolean)
    """
)


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    """Replace each case's rows with the deadlines its last event in this batch lists."""
    latest: dict[str, CaseEvent] = {}
    for event in events:
        if isinstance(event, CaseEvent):  # store events carry no deadlines
            latest[str(event.originator_id)] = event
    if not latest:
        return
    rows = [
        {
            "case_id": case_id,
            "deadline_id": d["id"],
            "kind": d["kind"],
            "due_at": utc(d["due_at"]),
            "action": d["action"],
        }
        for case_id, event in latest.items()
        for d in event.deadlines
    ]
    replace = _replace_postgres if connection.dialect.name == "postgresql" else _replace
    replace(connection, list(latest), rows)


def _replace_postgres(connection: Connection, cases: list[str], rows: list[Row]) -> None:
    _mark(rows, connection.execute(POSTGRES_DELETE, {"cases": orjson.dumps(cases).decode()}))
    if rows:
        connection.execute(POSTGRES_INSERT, {"rows": orjson.dumps(rows).decode()})


def _replace(connection: Connection, cases: list[str], rows: list[Row]) -> None:
    """SQLite: one writer at a time, so no sweeper to wait for."""
    marked = select(T.c.case_id, T.c.deadline_id, T.c.due_at).where(
        T.c.case_id.in_(cases), T.c.done
    )
    _mark(rows, connection.execute(marked))
    connection.execute(delete(T).where(T.c.case_id.in_(cases)))
    if rows:
        connection.execute(insert(T), rows)


def catch_up(engine: Engine, app: Application[Any]) -> int:
    """Apply the log since the tracked position; returns how many notifications were read."""
    return follow_log(engine, app, NAME, apply_events, reads=READS)


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
