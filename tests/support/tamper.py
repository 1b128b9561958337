"""What an attacker with write access to the database does to the event log: raw rows, written
with the application's own encoding so that every hash chain still verifies on its own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from sqlalchemy import Engine, text

from services.application import Redress
from services.eventstore.log_pages import page_after


def _key(engine: Engine) -> str:
    return "rowid" if engine.dialect.name == "sqlite" else "notification_id"


def _table(app: Redress) -> str:
    name: str = app.recorder.events_table_name  # type: ignore[attr-defined]
    return name


def positions(app: Redress) -> dict[tuple[UUID, int], int]:
    """(aggregate, version) → position, for every logged event."""
    found: dict[tuple[UUID, int], int] = {}
    after = 0
    while page := page_after(app.recorder, after, 1000):
        for logged in page:
            found[(UUID(str(logged.originator_id)), logged.originator_version)] = logged.id
        after = page[-1].id
    return found


def delete_last(app: Redress, engine: Engine, count: int) -> None:
    key, table = _key(engine), _table(app)
    with engine.begin() as connection:
        connection.execute(
            text(
                f"DELETE FROM {table} WHERE {key} IN "
                f"(SELECT {key} FROM {table} ORDER BY {key} DESC LIMIT :n)"
            ),
            {"n": count},
        )


def swap(app: Redress, engine: Engine, first: int, second: int) -> None:
    """Exchange the events at two positions (each keeps its content, moves in the log)."""
    key, table = _key(engine), _table(app)
    columns = "originator_id, originator_version, topic, state"
    with engine.begin() as connection:
        rows = {
            at: connection.execute(
                text(f"SELECT {columns} FROM {table} WHERE {key} = :at"), {"at": at}
            ).one()
            for at in (first, second)
        }
        move = text(
            f"UPDATE {table} SET originator_id = :oid, originator_version = :v, topic = :t, "
            f"state = :s WHERE {key} = :at"
        )

        def put(at: int, row: Any, version: int | None = None) -> None:
            values = {"oid": row[0], "v": row[1] if version is None else version}
            connection.execute(move, {**values, "t": row[2], "s": row[3], "at": at})

        put(first, rows[first], version=-1)  # out of the way of the primary key
        put(second, rows[first])
        put(first, rows[second])


def rewrite(app: Redress, engine: Engine, case_id: UUID, version: int, **changes: Any) -> int:
    """Alter one event of a case and recompute the hashes of it and every later event of its
    chain; returns the altered event's position."""
    at = positions(app)
    events = list(app.repository.event_store.get(case_id))
    head = events[version - 2].hash if version > 1 else "0" * 64
    with engine.begin() as connection:
        for event in events[version - 1 :]:
            if event.originator_version == version:
                for name, value in changes.items():
                    object.__setattr__(event, name, value)
            object.__setattr__(event, "prev_hash", head)
            object.__setattr__(event, "hash", event.expected_hash())
            head = event.hash
            stored = app.mapper.to_stored_event(event)
            connection.execute(
                text(f"UPDATE {_table(app)} SET state = :s WHERE {_key(engine)} = :at"),
                {"s": stored.state, "at": at[(case_id, event.originator_version)]},
            )
    return at[(case_id, version)]
