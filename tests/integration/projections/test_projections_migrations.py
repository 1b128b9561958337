"""Alembic owns every table: the migrations, applied to an empty database, give exactly the
tables, columns and indexes the models declare, on SQLite and on PostgreSQL (the event store's
tables, which no model declares, have their own test: test_event_tables_migration.py)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from services.db import migrate
from services.eventstore.tables import modelled
from services.settings import Settings
from services.tables import metadata


def test_the_migrations_build_exactly_the_modelled_schema(database_url: str) -> None:
    settings = Settings(database_url=database_url)
    migrate(settings)
    engine = create_engine(settings.sqlalchemy_url())
    try:
        with engine.connect() as connection:
            differences = compare_metadata(
                MigrationContext.configure(connection, opts={"include_name": modelled}), metadata
            )
    finally:
        engine.dispose()
    assert differences == []
