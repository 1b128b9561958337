"""On PostgreSQL the recorder commits through the function of migration 0013_commit_function
(services.eventstore.recorders): the events, the rows of the keys they are sealed under and the
answers of the requests that made them, in one statement and so one transaction; a stale read
or a taken version records none of them. The migration adds and removes the function (and does
nothing on SQLite)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from alembic import command
from alembic.config import Config
from eventsourcing.persistence import IntegrityError, StoredEvent
from sqlalchemy import create_engine, text

from services.db import MIGRATIONS, migrate
from services.eventstore.recorders import PostgresRecorder, StaleRead, _columns
from services.eventstore.subject_keys import KeyRow
from services.idempotent_outcomes import Claim, Outcome
from services.settings import Settings

NOW = datetime(2026, 12, 6, 9, tzinfo=UTC)
FUNCTION = "public.redress_events_commit"


def _query(url: str, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def _claim(url: str) -> Claim:
    """A request's claim of an Idempotency-Key, running (as the API inserts it)."""
    claim = Claim("cases", uuid4().hex)
    _query(
        url,
        "INSERT INTO idempotency_keys (scope, key, request_hash, state, created_at, expires_at) "
        "VALUES (%s, %s, 'h', 'running', %s, %s)",
        claim.scope,
        claim.key,
        NOW,
        NOW + timedelta(days=1),
    )
    return claim


def _commit(recorder: PostgresRecorder, url: str, **kwargs: Any) -> tuple[UUID, str, Claim]:
    """Insert a case's first event, sealed under a new key and answering a request."""
    case, key_id, claim = uuid4(), uuid4().hex, _claim(url)
    recorder.insert_events(
        [StoredEvent(case, 1, "t:Filed", b'{"a":1}')],
        subject_keys=[KeyRow((key_id, "subject", str(case), b"wrapped", NOW))],
        outcomes=[Outcome(claim, 201, {"Location": f"/v1/cases/{case}"}, '{"id":1}')],
        **kwargs,
    )
    return case, key_id, claim


def _xmins(url: str, case: UUID, key_id: str, claim: Claim) -> list[tuple[Any, ...]]:
    """The transactions that wrote the event, the key's row and the settled answer."""
    return _query(
        url,
        "SELECT e.xmin::text, k.xmin::text, i.xmin::text, i.state, i.status_code "
        "FROM redress_events e, subject_keys k, idempotency_keys i "
        "WHERE e.originator_id = %s AND k.key_id = %s AND i.key = %s",
        case,
        key_id,
        claim.key,
    )


def test_events_keys_and_answers_are_committed_by_one_statement(
    recorder: PostgresRecorder, postgres_database: str
) -> None:
    assert recorder._commits_in_one_statement()
    case, key_id, claim = _commit(recorder, postgres_database)
    [(event_xid, key_xid, answer_xid, state, status)] = _xmins(
        postgres_database, case, key_id, claim
    )
    assert event_xid == key_xid == answer_xid  # one transaction
    assert (state, status) == ("done", 201)


def test_a_stale_read_raises_and_records_no_event_key_or_answer(
    recorder: PostgresRecorder, postgres_database: str
) -> None:
    store = uuid4()
    recorder.insert_events([StoredEvent(store, 1, "t:Registered", b"{}")])
    with pytest.raises(StaleRead, match=str(store)):
        _commit(recorder, postgres_database, read_versions={store: 0})
    assert _query(postgres_database, "SELECT count(*) FROM redress_events") == [(1,)]
    assert _query(postgres_database, "SELECT count(*) FROM subject_keys") == [(0,)]
    assert _query(postgres_database, "SELECT state FROM idempotency_keys") == [("running",)]


def test_a_read_still_current_commits(recorder: PostgresRecorder, postgres_database: str) -> None:
    store = uuid4()
    recorder.insert_events([StoredEvent(store, 1, "t:Registered", b"{}")])
    case, key_id, claim = _commit(recorder, postgres_database, read_versions={store: 1})
    assert len(_xmins(postgres_database, case, key_id, claim)) == 1


def test_a_taken_version_is_the_librarys_conflict_and_records_nothing(
    recorder: PostgresRecorder, postgres_database: str
) -> None:
    case = uuid4()
    recorder.insert_events([StoredEvent(case, 1, "t:Filed", b'{"a":"first"}')])
    claim = _claim(postgres_database)
    with pytest.raises(IntegrityError) as raised:
        recorder.insert_events(
            [StoredEvent(case, 1, "t:Filed", b'{"a":"second"}')],
            subject_keys=[KeyRow((uuid4().hex, "subject", str(case), b"wrapped", NOW))],
            outcomes=[Outcome(claim, 201, {}, "{}")],
        )
    assert not isinstance(raised.value, StaleRead)
    assert _query(postgres_database, "SELECT count(*) FROM subject_keys") == [(0,)]
    assert _query(postgres_database, "SELECT state FROM idempotency_keys") == [("running",)]


def _alembic(url: str, action: str, target: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", Settings(database_url=url).sqlalchemy_url())
    getattr(command, action)(config, target)


def _has_function(url: str) -> bool:
    if url.startswith("sqlite"):
        return False
    engine = create_engine(Settings(database_url=url).sqlalchemy_url())
    try:
        with engine.connect() as connection:
            found = connection.execute(text("SELECT to_regproc(:f)"), {"f": FUNCTION})
            return found.scalar() is not None
    finally:
        engine.dispose()


def test_the_migration_adds_the_function_and_its_downgrade_removes_it(database_url: str) -> None:
    migrate(Settings(database_url=database_url))
    assert _has_function(database_url) is database_url.startswith("postgresql")
    _alembic(database_url, "downgrade", "0008_event_tables")
    assert not _has_function(database_url)
    _alembic(database_url, "upgrade", "heads")
    assert _has_function(database_url) is database_url.startswith("postgresql")


def test_the_key_rows_go_in_before_the_lock_and_a_downgrade_puts_them_back(
    database_url: str,
) -> None:
    """0014_commit_keys_before_lock: the lock is held for the ordered part alone."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has no commit function")
    migrate(Settings(database_url=database_url))
    assert _statements_before_lock(database_url) == ["INSERT INTO public.subject_keys"]
    _alembic(database_url, "downgrade", "0013_commit_function")
    assert _statements_before_lock(database_url) == []
    _alembic(database_url, "upgrade", "heads")
    assert _statements_before_lock(database_url) == ["INSERT INTO public.subject_keys"]


def _statements_before_lock(url: str) -> list[str]:
    """The data-changing statements of the function's body ahead of its LOCK TABLE."""
    [(body,)] = _query(url, "SELECT prosrc FROM pg_proc WHERE oid = to_regproc(%s)", FUNCTION)
    ahead = body.split("LOCK TABLE public.redress_events", 1)[0]
    return [
        line.strip()[: len("INSERT INTO public.subject_keys")]
        for line in ahead.splitlines()
        if line.strip().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_two_commits_carrying_one_key_row_both_commit_and_store_it_once(
    recorder: PostgresRecorder, postgres_database: str
) -> None:
    """Two commands on one case in one process seal under one key, and each carries its row.
    The first, its transaction still open, holds the key's row and the table's lock; the
    second waits on the row, then inserts nothing and commits its events."""
    case, key_id = uuid4(), uuid4().hex
    key = [KeyRow((key_id, "subject", str(case), b"wrapped", NOW))]
    with psycopg.connect(postgres_database) as first:  # a transaction, left open
        first.execute(
            OPEN_COMMIT, [5, [], [], [case], [1], ["t:Filed"], [b"{}"], *_columns(key, 5)]
        )
        with ThreadPoolExecutor(1) as pool:
            second = pool.submit(
                recorder.insert_events,
                [StoredEvent(case, 2, "t:Messaged", b"{}")],
                subject_keys=key,
            )
            time.sleep(0.3)
            assert not second.done()  # waiting on the first
            first.commit()
            assert len(second.result(timeout=30)) == 1
    assert _query(postgres_database, "SELECT count(*) FROM subject_keys") == [(1,)]
    assert _query(postgres_database, "SELECT count(*) FROM redress_events") == [(2,)]


# The function's call, its key rows and no answers, on a connection in a transaction.
OPEN_COMMIT = (
    f"SELECT * FROM {FUNCTION}(%s::int, %s::uuid[], %s::bigint[], %s::uuid[], %s::bigint[], "
    "%s::text[], %s::bytea[], %s::text[], %s::text[], %s::text[], %s::bytea[], "
    "%s::timestamptz[], '{}'::int[], '{}'::text[], '{}'::text[], '{}'::text[], '{}'::text[])"
)
