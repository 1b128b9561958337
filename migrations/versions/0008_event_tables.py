"""The event store's tables, as the eventsourcing library (9.5.6) creates them for the
application `redress`: the events (the application recorder's table, with its notification
ids) and the snapshots (an aggregate recorder's), on SQLite and on PostgreSQL.

No process creates them at start-up any more (the library's CREATE_TABLE is off): processes
starting together raced on that DDL. Every statement is idempotent, so a database whose
tables a process of an earlier version created upgrades without a change.

The statements are the library's own (eventsourcing.sqlite and eventsourcing.postgres,
schema `public`, originator ids of type uuid, POSTGRES_LOCK_TIMEOUT 5); a test compares the
result with what the library builds (tests/integration/test_event_tables_migration.py).
An upgrade of the library that changes them needs a migration of its own.

Revision ID: 0008_event_tables
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_event_tables"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("eventstore",)
depends_on: str | Sequence[str] | None = None

# eventsourcing.sqlite: the application recorder's table keeps SQLite's rowid (its
# notification ids); the aggregate recorder's (snapshots) has none.
SQLITE = [
    "CREATE TABLE IF NOT EXISTS stored_events ("
    "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
    "PRIMARY KEY (originator_id, originator_version))",
    "CREATE TABLE IF NOT EXISTS stored_snapshots ("
    "originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
    "PRIMARY KEY (originator_id, originator_version)) WITHOUT ROWID",
]

# eventsourcing.postgres: the tables' storage parameters, as the library sets them.
AUTOVACUUM = (
    "WITH (autovacuum_enabled = true, autovacuum_vacuum_threshold = 100000000, "
    "autovacuum_vacuum_scale_factor = 0.5, autovacuum_analyze_threshold = 1000, "
    "autovacuum_analyze_scale_factor = 0.01)"
)
POSTGRES = [
    # The composite type the recorders insert through; CREATE TYPE has no IF NOT EXISTS.
    "DO $$ BEGIN "
    "CREATE TYPE public.stored_event_uuid AS "
    "(originator_id uuid, originator_version bigint, topic text, state bytea); "
    "EXCEPTION WHEN duplicate_object THEN NULL; END $$",
    "CREATE TABLE IF NOT EXISTS public.redress_events ("
    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, "
    "state bytea, notification_id bigserial, "
    f"PRIMARY KEY (originator_id, originator_version)) {AUTOVACUUM}",
    "CREATE UNIQUE INDEX IF NOT EXISTS redress_events_notification_id_idx "
    "ON public.redress_events (notification_id ASC)",
    # Used only with POSTGRES_ENABLE_DB_FUNCTIONS (off here: that path skips the table lock);
    # created because the library creates it, in its text, quoting and all (a function's
    # body is stored as written).
    'CREATE OR REPLACE FUNCTION "public"."es_insert_events_uuid"'
    '(events "public"."stored_event_uuid"[]) '
    "RETURNS SETOF bigint LANGUAGE plpgsql AS $BODY$"
    "BEGIN"
    "    SET LOCAL lock_timeout = '5s';"
    '    NOTIFY "redress_events";'
    "    RETURN QUERY"
    '    INSERT INTO "public"."redress_events" AS t ('
    "    originator_id, originator_version, topic, state)"
    "    SELECT originator_id, originator_version, topic, state"
    "    FROM unnest(events)"
    "    RETURNING notification_id;"
    "END;"
    "$BODY$",
    "CREATE TABLE IF NOT EXISTS public.redress_snapshots ("
    "originator_id uuid NOT NULL, originator_version bigint NOT NULL, topic text, "
    f"state bytea, PRIMARY KEY (originator_id, originator_version)) {AUTOVACUUM}",
]


def upgrade() -> None:
    statements = SQLITE if op.get_bind().dialect.name == "sqlite" else POSTGRES
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS stored_snapshots")
        op.execute("DROP TABLE IF EXISTS stored_events")
        return
    op.execute("DROP TABLE IF EXISTS public.redress_snapshots")
    op.execute("DROP FUNCTION IF EXISTS public.es_insert_events_uuid(public.stored_event_uuid[])")
    op.execute("DROP TABLE IF EXISTS public.redress_events")
    op.execute("DROP TYPE IF EXISTS public.stored_event_uuid")
