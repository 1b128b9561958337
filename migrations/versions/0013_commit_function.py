"""The event store's commit as one statement: a function doing, for the events table
redress_events, what the PostgreSQL recorder (services.eventstore.recorders) otherwise sends as
eight statements in a transaction.

Called on an autocommit connection, the call is its own transaction: no BEGIN or COMMIT to
send, and one round trip to the server instead of a pipeline's several waits, in the one
thread every commit of a process goes through. In order: the library's lock timeout and table
lock (no reader of the log passes over an id that commits later), the check of the versions
the command read (a mismatch raises SQLSTATE RD001 and records nothing), the notice to the
log's listeners, the rows of the subject keys, the events (their notification ids returned
in the order given) and the answers of the idempotent requests that made them.

On SQLite there is nothing to do: its recorder writes in its own transaction.

Revision ID: 0013_commit_function
Revises: 0008_event_tables
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0013_commit_function"
# On the event store's branch. The body also names subject_keys (0010, another branch) and
# idempotency_keys (0001): PL/pgSQL looks tables up when it runs, not when it is created, and
# `migrate` applies every head before a process commits. A dependency on 0010 would merge its
# branch into this one (a rewind of 0010 alone could then not be expressed).
down_revision: str | None = "0008_event_tables"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "public.redress_events_commit(integer, uuid[], bigint[], uuid[], bigint[], text[], bytea[], "
    "text[], text[], text[], bytea[], timestamptz[], integer[], text[], text[], text[], text[])"
)

CREATE = """
CREATE OR REPLACE FUNCTION public.redress_events_commit(
    lock_timeout_seconds integer,
    read_ids uuid[], read_versions bigint[],
    event_ids uuid[], event_versions bigint[], event_topics text[], event_states bytea[],
    key_ids text[], key_subjects text[], key_cases text[], key_wrapped bytea[],
    key_created timestamptz[],
    outcome_statuses integer[], outcome_headers text[], outcome_bodies text[],
    outcome_scopes text[], outcome_keys text[]
) RETURNS SETOF bigint LANGUAGE plpgsql AS $body$
DECLARE
    stale text;
BEGIN
    -- As the library does (SET LOCAL lock_timeout; LOCK TABLE): one writer at a time, so
    -- notification ids commit in the order they are issued.
    PERFORM set_config('lock_timeout', lock_timeout_seconds || 's', true);
    LOCK TABLE public.redress_events IN EXCLUSIVE MODE;
    -- Under the lock (each statement here sees every commit before it), the versions the
    -- command read against the latest: a mismatch records nothing.
    SELECT string_agg(r.id::text, ', ') INTO stale
    FROM unnest(read_ids, read_versions) AS r(id, version)
    WHERE r.version <> coalesce(
        (SELECT max(e.originator_version) FROM public.redress_events AS e
         WHERE e.originator_id = r.id), 0);
    IF stale IS NOT NULL THEN
        RAISE EXCEPTION USING ERRCODE = 'RD001', MESSAGE = 'changed since read: ' || stale;
    END IF;
    PERFORM pg_notify('redress_events', '');  -- the library's NOTIFY, for the log's listeners
    INSERT INTO public.subject_keys (key_id, subject_id, case_id, wrapped, created_at)
    SELECT * FROM unnest(key_ids, key_subjects, key_cases, key_wrapped, key_created)
    ON CONFLICT (key_id) DO NOTHING;
    RETURN QUERY
    INSERT INTO public.redress_events (originator_id, originator_version, topic, state)
    SELECT * FROM unnest(event_ids, event_versions, event_topics, event_states)
    RETURNING notification_id;
    UPDATE public.idempotency_keys AS k
    SET state = 'done', status_code = o.status, headers = o.headers::json, body = o.body
    FROM unnest(outcome_statuses, outcome_headers, outcome_bodies, outcome_scopes, outcome_keys)
        AS o(status, headers, body, scope, key)
    WHERE k.scope = o.scope AND k.key = o.key;
END
$body$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(CREATE)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.execute(f"DROP FUNCTION IF EXISTS {SIGNATURE}")
