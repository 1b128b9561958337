"""The event store's tables: the eventsourcing library's layout, created by the migration
0008_event_tables (not by SQLAlchemy models). Alembic's comparisons leave them out."""

from __future__ import annotations

from collections.abc import Mapping

# SQLite's names are fixed; PostgreSQL's carry the application's name (services.eventstore
# .application.EventStoreApplication.name).
EVENT_TABLES = frozenset(
    {"stored_events", "stored_snapshots", "redress_events", "redress_snapshots"}
)


def modelled(name: str | None, type_: str, parent_names: Mapping[str, str | None]) -> bool:
    """Alembic's `include_name` hook: everything but the event store's tables."""
    return not (type_ == "table" and name in EVENT_TABLES)
