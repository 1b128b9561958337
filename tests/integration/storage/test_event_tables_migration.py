"""The event store's tables come from a migration (0008_event_tables), not from the processes:
it creates what the eventsourcing library would, opening the application creates nothing, and
a database whose tables the library made (an earlier version's) migrates and keeps its events.
On SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from support.postgres import fresh_database

from domain.actors import Actor, By
from services.application import Redress
from services.bootstrap import open_redress
from services.db import migrate
from services.eventstore.tables import EVENT_TABLES
from services.settings import Settings

BY = By.at(Actor("admin", "a"), datetime(2026, 12, 6, 9, tzinfo=UTC))


def made_by_the_library(url: str) -> Redress:
    """The application on `url`, letting the library create its tables as it used to."""
    return Redress(env={**Settings(database_url=url).eventsourcing_env(), "CREATE_TABLE": "y"})


def event_schema(url: str) -> dict[str, Any]:
    """Everything about the event store's tables a query of the catalogue shows."""
    engine = create_engine(Settings(database_url=url).sqlalchemy_url())
    try:
        with engine.connect() as connection:
            if connection.dialect.name == "sqlite":
                rows = connection.execute(
                    text("SELECT type, name, sql FROM sqlite_master ORDER BY name")
                )
                # SQLite keeps each statement's text; IF NOT EXISTS and spacing aside.
                return {
                    name: (kind, re.sub(r"\s+", " ", sql or "").replace(" IF NOT EXISTS", ""))
                    for kind, name, sql in rows
                    if name in EVENT_TABLES or name.startswith("sqlite_autoindex_stored")
                }
            return {query: connection.execute(text(query)).all() for query in POSTGRES_CATALOGUE}
    finally:
        engine.dispose()


TABLES = "('redress_events', 'redress_snapshots')"
POSTGRES_CATALOGUE = [
    "SELECT table_name, column_name, data_type, is_nullable, column_default "
    f"FROM information_schema.columns WHERE table_name IN {TABLES} "
    "ORDER BY table_name, ordinal_position",
    f"SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN {TABLES} ORDER BY indexname",
    f"SELECT relname, reloptions FROM pg_class WHERE relname IN {TABLES} ORDER BY relname",
    "SELECT sequence_name, data_type, increment FROM information_schema.sequences "
    "WHERE sequence_name LIKE 'redress_events%' ORDER BY sequence_name",
    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
    "JOIN pg_type ON attrelid = typrelid WHERE typname = 'stored_event_uuid' ORDER BY attnum",
    "SELECT pg_get_functiondef(p.oid) FROM pg_proc p "
    "WHERE proname = 'es_insert_events_uuid' ORDER BY 1",
]


@contextmanager
def another_database(url: str, request: pytest.FixtureRequest) -> Iterator[str]:
    if url.startswith("sqlite"):
        yield url.replace("redress.db", "other.db")
        return
    with fresh_database(request.getfixturevalue("postgres_url")) as other:
        yield other


def test_the_migration_creates_what_the_library_would(
    database_url: str, request: pytest.FixtureRequest
) -> None:
    migrate(Settings(database_url=database_url))
    with another_database(database_url, request) as other:
        made_by_the_library(other).close()
        expected = event_schema(other)
    assert expected  # the catalogue queries found the library's tables
    assert event_schema(database_url) == expected


def test_opening_the_application_creates_no_table(database_url: str) -> None:
    open_redress(Settings(database_url=database_url)).close()
    engine = create_engine(Settings(database_url=database_url).sqlalchemy_url())
    try:
        assert not set(inspect(engine).get_table_names()) & EVENT_TABLES
    finally:
        engine.dispose()


def test_tables_the_library_made_migrate_and_keep_their_events(database_url: str) -> None:
    before = made_by_the_library(database_url)
    try:
        store = before.register_store(
            BY,
            store_id="s1",
            platform="bigben",
            name="S",
            certified=False,
            country="GB",
            timezone="Europe/London",
        )
    finally:
        before.close()
    settings = Settings(database_url=database_url)
    migrate(settings)
    after = open_redress(settings)
    try:
        assert after.get_store("s1") == store
    finally:
        after.close()
