"""The event store's tables: the eventsourcing library's layout, created by the migration
0008_event_tables (not by SQLAlchemy models). Alembic's comparisons leave them out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# SQLite's names are fixed; PostgreSQL's carry the application's name (services.eventstore
# .application.EventStoreApplication.name).
EVENT_TABLES = frozenset(
    {"stored_events", "stored_snapshots", "redress_events", "redress_snapshots"}
)


def modelled(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's `include_name` hook: everything but the event store's tables."""
    return not (type_ == "table" and name in EVENT_TABLES)


def events_table(app: Any) -> str:
    """An application's events table as its SQL names it (`public.redress_events` on
    PostgreSQL, `stored_events` on SQLite)."""
    return _qualified(app.recorder)


def snapshots_table(app: Any) -> str | None:
    """Its snapshots table, likewise; None when it takes no snapshots."""
    return None if app.snapshots is None else _qualified(app.snapshots.recorder)


def _qualified(recorder: Any) -> str:
    schema = getattr(recorder.datastore, "schema", None)  # SQLite's datastore has none
    return f"{schema}.{recorder.events_table_name}" if schema else recorder.events_table_name
