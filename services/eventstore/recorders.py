"""Event-store recorders that check, inside the commit, that what a command read is current.

Filing a case reads its store (platform, certificate, calendar) but writes only the case, so
the usual guard, the unique (aggregate, version) key, cannot see the store change under it.
Re-reading the store before every filing costs a query per request; instead a command names
the versions it read (`read_versions={store_id: version}`) and the recorder checks them in the
same transaction, after taking the events table's lock, so no store event can commit between
the check and the case's own commit. A mismatch records nothing and raises `StaleRead`; the
caller reads again and retries. Installed through the library's APPLICATION_RECORDER_TOPIC.

On PostgreSQL the whole commit is one statement: a call of the events table's function
(migrations/versions/0013_commit_function.py) that writes the rows of the keys the events
are sealed under, takes the library's lock (the keys go first since 0014_commit_keys_before_lock:
they need no ordering, and every statement under the lock lengthens the other writers' wait),
checks the versions, notifies the log's listeners and writes the events and their answers.
On the pool's autocommit connection the call is its own transaction, in one round trip;
through the library's pipeline (BEGIN, lock, check, NOTIFY, inserts, updates, COMMIT) the
writer thread waited on the socket about 16 times a commit, and must win the GIL back after
each wait from the busy request threads. A table without such a function (another
application's, or a database not yet migrated) still commits through the pipeline.

The PostgreSQL recorder also recognises its own commit. The library retries an insert whose
connection broke; if the break came after the commit but before its acknowledgement (the
server stopped at that moment), the retry meets its own rows and fails as a conflict. Those
rows, byte for byte, mean the events were recorded: the insert answers as if the first attempt
had been acknowledged, instead of a 409 for a command that took effect.

`PostgresFactory` is the library's factory, except that with `POSTGRES_PREPARE=no` its
connections prepare no statement: behind PgBouncer 1.18 in transaction mode a statement
prepared in one transaction is gone (or another client's) in the next.

Both recorders also write, in the events' transaction, the answers of the idempotent requests
that made them (`outcomes=[...]`, services.idempotent_outcomes): a crash after the commit
cannot leave an `Idempotency-Key` without the answer its events deserve.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing import postgres
from eventsourcing.persistence import (
    IntegrityError,
    InterfaceError,
    OperationalError,
    StoredEvent,
)
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from eventsourcing.utils import Environment, EnvType, retry, strtobool
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from services.eventstore.subject_keys import INSERT_KEY, INSERT_KEYS, KeyRow
from services.idempotent_outcomes import SETTLE, Outcome

ReadVersions = Mapping[UUID, int]
log = logging.getLogger(__name__)


class StaleRead(IntegrityError):
    """An aggregate the command read has changed since; nothing was recorded."""


def _check(expected: ReadVersions, current: Mapping[UUID, int]) -> None:
    if stale := [str(k) for k, version in expected.items() if current.get(k, 0) != version]:
        raise StaleRead(f"changed since read: {', '.join(stale)}")


def _refuse_own_reads(expected: ReadVersions, stored_events: Sequence[StoredEvent]) -> None:
    if any(e.originator_id in expected for e in stored_events):
        raise StaleRead("an aggregate read is changed in the same commit")


def _columns(rows: Sequence[Sequence[Any]], width: int) -> list[list[Any]]:
    """`rows` as `width` lists, one per column (empty ones when there is no row): the
    parameters of a statement that inserts from `unnest` of arrays."""
    return [list(column) for column in zip(*rows, strict=True)] if rows else [[]] * width


def _event_columns(stored_events: Sequence[StoredEvent]) -> list[list[Any]]:
    """The events as INSERT_ROWS's four columns (id, version, topic, state)."""
    rows = [(e.originator_id, e.originator_version, e.topic, e.state) for e in stored_events]
    return _columns(rows, 4)


# The latest version of each of these aggregates.
LATEST_VERSIONS = (
    "SELECT originator_id, max(originator_version) AS version FROM {table} "
    "WHERE originator_id = ANY(%s) GROUP BY originator_id"
)
# The stored rows at these (aggregate, version) keys.
ROWS_AT = (
    "SELECT e.originator_id, e.originator_version, e.topic, e.state, e.notification_id "
    "FROM unnest(%s::uuid[], %s::bigint[]) AS k(id, version) "
    "JOIN {table} AS e ON e.originator_id = k.id AND e.originator_version = k.version"
)
# The events as four arrays in binary. The library sends an array of a composite type as
# text: each state hex-encoded, then escaped twice by regular expressions, which cost the
# group commit thread more CPU than all else it does for a filing.
INSERT_ROWS = (
    "INSERT INTO {table} (originator_id, originator_version, topic, state) "
    "SELECT * FROM unnest(%b::uuid[], %b::bigint[], %b::text[], %b::bytea[]) "
    "RETURNING notification_id"
)
# The same, with the rows of the keys the events are sealed under inserted first, in the one
# statement (a data-modifying WITH runs once, in full): no second statement to send, in the
# thread every commit of the process goes through.
INSERT_ROWS_AND_KEYS = "WITH keys AS (" + INSERT_KEYS + ") " + INSERT_ROWS


_SETTLE_PG = SETTLE.replace("?", "%s")

# The whole commit in one statement: the function migration 0013_commit_function makes for the
# events table (`{table}_commit`), called with every row as columns of binary arrays.
COMMIT = (
    "SELECT id FROM {function}(%b::int, %b::uuid[], %b::bigint[], "
    "%b::uuid[], %b::bigint[], %b::text[], %b::bytea[], "
    "%b::text[], %b::text[], %b::text[], %b::bytea[], %b::timestamptz[], "
    "%b::int[], %b::text[], %b::text[], %b::text[], %b::text[]) AS id"
)
COMMIT_CURSORS = 64  # more than any pool's connections
STALE_READ_SQLSTATE = "RD001"  # what the function raises when a version read has moved


class PostgresRecorder(PostgresApplicationRecorder):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        table = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(self.events_table_name)
        )
        self._latest_versions = SQL(LATEST_VERSIONS).format(table=table)
        self._rows_at = SQL(ROWS_AT).format(table=table)
        self._insert_rows = SQL(INSERT_ROWS).format(table=table)
        self._insert_rows_and_keys = SQL(INSERT_ROWS_AND_KEYS).format(table=table)
        self._notify = SQL("NOTIFY {0}").format(Identifier(self.channel_name))
        self._function_name = f"{self.datastore.schema}.{self.events_table_name}_commit"
        function = SQL("{}.{}").format(
            Identifier(self.datastore.schema), Identifier(f"{self.events_table_name}_commit")
        )
        self._commit = SQL(COMMIT).format(function=function)
        self._has_function: bool | None = None  # looked up on the first insert
        # A commit's cursor, kept per connection (by id: a cursor holds its connection):
        # psycopg finds the dumper of each of the call's 16 arrays by looking into it, and
        # keeps what it found in the cursor. A fresh cursor a commit found them all again
        # (about 48 µs for the five arrays of one key row, against 16 µs in a cursor used
        # before). Bounded: the pool replaces connections now and then.
        self._commit_cursors: dict[int, Cursor[Any]] = {}

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        try:
            ids: Sequence[int] | None
            if stored_events and self._commits_in_one_statement():
                ids = self._insert_in_one_statement(stored_events, **kwargs)
            else:
                ids = super().insert_events(stored_events, **kwargs)
            return ids
        except StaleRead:
            raise
        except IntegrityError:
            if (ids := self._recorded_already(stored_events)) is None:
                raise
            log.warning("an insert retried after a lost acknowledgement had been recorded")
            return ids

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _commits_in_one_statement(self) -> bool:
        """Whether the database has this table's commit function. Redress's events table has
        it once migrated; any other table (a benchmark's library application) commits through
        the library's pipeline, as does a database not yet migrated."""
        if self._has_function is None:
            with self.datastore.get_connection() as conn, conn.cursor() as curs:
                curs.execute("SELECT to_regproc(%s) IS NOT NULL AS found", (self._function_name,))
                row = curs.fetchone()
            self._has_function = bool(row and row["found"])
            if not self._has_function:
                log.info("no %s: commits go through the pipeline", self._function_name)
        return self._has_function

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def _insert_in_one_statement(
        self,
        stored_events: Sequence[StoredEvent],
        read_versions: ReadVersions | None = None,
        subject_keys: Sequence[KeyRow] = (),
        outcomes: Sequence[Outcome] = (),
        **_: Any,
    ) -> list[int]:
        """The commit function's call, on the pool's autocommit connection: its own
        transaction, in one round trip. A stale read raises StaleRead, a taken (aggregate,
        version) the library's IntegrityError; either way nothing is recorded."""
        expected = read_versions or {}
        _refuse_own_reads(expected, stored_events)
        params = [
            self.datastore.lock_timeout,
            list(expected),
            list(expected.values()),
            *_event_columns(stored_events),
            *_columns(subject_keys, 5),
            *_columns([o.row() for o in outcomes], 5),
        ]
        with self.datastore.get_connection() as conn:
            curs = self._commit_cursors.get(id(conn))
            if curs is None or curs.connection is not conn or curs.closed:
                if len(self._commit_cursors) >= COMMIT_CURSORS:
                    self._commit_cursors.clear()
                curs = self._commit_cursors[id(conn)] = conn.cursor()
            try:
                curs.execute(self._commit, params, prepare=True)
            except psycopg.Error as failure:
                if failure.sqlstate == STALE_READ_SQLSTATE:
                    raise StaleRead(failure.diag.message_primary) from None
                raise
            return [row["id"] for row in curs.fetchall()]

    def _recorded_already(self, stored_events: Sequence[StoredEvent]) -> list[int] | None:
        """The notification ids of these very events if they are stored already, else None."""
        keys = (
            [e.originator_id for e in stored_events],
            [e.originator_version for e in stored_events],
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(self._rows_at, keys)
            rows = {(r["originator_id"], r["originator_version"]): r for r in curs.fetchall()}
        ids = []
        for event in stored_events:
            row = rows.get((event.originator_id, event.originator_version))
            if row is None or row["topic"] != event.topic or bytes(row["state"]) != event.state:
                return None
            ids.append(row["notification_id"])
        return ids

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        expected: ReadVersions | None = kwargs.get("read_versions")
        if expected:
            _refuse_own_reads(expected, stored_events)
        # As the library does: the table's lock, so that no reader of the log passes over an
        # id that commits later.
        self._lock_table(curs)
        if expected:
            # Under the lock, the check and the insert are one atomic step against other
            # writers. Checked before anything is written: the library's transaction commits
            # whatever was written when an exception is raised here.
            curs.execute(self._latest_versions, (list(expected),), prepare=True)
            _check(expected, {row["originator_id"]: row["version"] for row in curs.fetchall()})
        curs.execute(self._notify)  # as the library does: a notice to the log's listeners
        rows = _event_columns(stored_events)
        # The library reads the inserted ids from `curs`.
        if keys := kwargs.get("subject_keys"):  # the keys the events are sealed under
            curs.execute(self._insert_rows_and_keys, _columns(keys, 5) + rows, prepare=True)
        else:
            curs.execute(self._insert_rows, rows, prepare=True)
        if outcomes := kwargs.get("outcomes"):
            # Its own cursor, for the same reason. In the same pipeline and transaction, so
            # a failed insert skips it too.
            with curs.connection.cursor() as more:
                more.executemany(_SETTLE_PG, [o.row() for o in outcomes])


class SQLiteRecorder(SQLiteApplicationRecorder):
    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        returning = super()._insert_events(c, stored_events, **kwargs)
        expected: ReadVersions | None = kwargs.get("read_versions")
        if expected:
            # After the insert, which holds SQLite's write lock (reading first would make the
            # insert upgrade a read lock, refused at once while another writer is busy); an
            # exception here rolls the transaction back.
            marks = ",".join("?" * len(expected))
            c.execute(
                f"SELECT originator_id, max(originator_version) FROM {self.events_table_name} "
                f"WHERE originator_id IN ({marks}) GROUP BY originator_id",
                [k.hex for k in expected],
            )
            _check(expected, {UUID(row[0]): row[1] for row in c.fetchall()})
        outcomes: Sequence[Outcome] = kwargs.get("outcomes", ())
        if outcomes:
            c.executemany(SETTLE, [o.row() for o in outcomes])
        if keys := kwargs.get("subject_keys"):  # the keys the events are sealed under
            c.executemany(INSERT_KEY, keys)
        return returning


class PostgresFactory(postgres.PostgresFactory):
    POSTGRES_PREPARE = "POSTGRES_PREPARE"

    def __init__(self, env: Environment | EnvType | None) -> None:
        super().__init__(env)
        if not strtobool(self.env.get(self.POSTGRES_PREPARE) or "yes"):
            # The pool opens on first use, so every connection it makes gets this.
            kwargs = self.datastore.pool.kwargs
            assert isinstance(kwargs, dict)
            kwargs["prepare_threshold"] = None
