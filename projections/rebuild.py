"""Rebuild read models from the whole log into shadow tables, then swap them in.

Safe while the API and the projector run: readers keep the live tables until the swap commits.
The build takes no locks (what it writes to the shadow tables, it writes in short
transactions). The swap locks the projections'
positions (so the live projector waits), applies what was logged meanwhile, replaces the live
tables and sets the positions, all in one transaction.

The projections' own logic (their `fold`, which the projector runs too) folds the log into rows
held in memory (`projections.buffered`), which reach the shadow tables in bulk (COPY for new
rows) whenever the buffer is full, and at the end. SQLAlchemy's `schema_translate_map`
points the projections' tables at the shadow schema.

- PostgreSQL: the shadow is a schema of its own holding tables with the live names, indexes
  (built once the tables are filled) and constraints; the swap drops each live table and
  moves its shadow into the live schema (`ALTER TABLE … SET SCHEMA`, a catalogue change).
- SQLite: the shadow is an attached scratch database file; the swap copies its rows over the
  live rows within one write transaction (readers see the old rows or the new, never a mix).
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Table
from sqlalchemy.schema import CreateIndex, CreateTable

from projections.buffered import LIMIT, BufferedRows
from projections.tracking import Batch, Fold, Projection, positions, read_batch, set_position

BATCH = 2000
Progress = Callable[[int, int], None]  # events read, head of the log when last looked


def rebuild(
    engine: Engine,
    app: Application[Any],
    projections: Sequence[Projection],
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    buffered: int = LIMIT,
) -> int:
    """Rebuild `projections` from the log and swap them in; returns the position reached.
    At most `buffered` rows are held in memory at a time."""
    tables = [table for p in projections for table in p.tables]
    folds = [_fold_of(p) for p in projections]
    with (
        _rare_collections(),
        engine.connect() as connection,
        _shadow(connection, tables) as shadow,
    ):
        rows = BufferedRows(connection, limit=buffered)
        at = _build(connection, app, folds, rows, shadow, batch, progress)
        with connection.begin(), _translated(connection, shadow):
            rows.flush()
        _index(connection, shadow, tables)
        with connection.begin():
            if connection.dialect.name == "sqlite":
                connection.exec_driver_sql("BEGIN IMMEDIATE")
            positions(connection, [p.name for p in projections], lock=True)
            at = _tail(connection, app, folds, rows, shadow, at, batch)
            _swap(connection, shadow, tables)
            for projection in projections:
                set_position(connection, projection.name, at)
    return at


@contextmanager
def _rare_collections() -> Iterator[None]:
    """The cyclic garbage collector at its default thresholds walks the growing buffer of rows
    again and again while the fold allocates millions of short-lived objects: it took about a
    third of a rebuild's time. Collect far less often while rebuilding."""
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _fold_of(projection: Projection) -> Fold:
    if projection.fold is None:
        raise ValueError(f"{projection.name}: a rebuild needs the projection's fold")
    return projection.fold


def _build(
    connection: Connection,
    app: Application[Any],
    folds: Sequence[Fold],
    rows: BufferedRows,
    shadow: str,
    batch: int,
    progress: Progress | None,
) -> int:
    """Fold the log into `rows` until a batch comes back short (the swap applies whatever is
    logged after that), writing them out whenever the buffer is full. The next batch is read
    and decoded while this one is folded."""
    at = 0
    with _reader(app, batch) as batches:
        for read in batches:
            with connection.begin(), _translated(connection, shadow):
                _fold(folds, rows, read)
                rows.flush_if_full()
            at = read.last
            if progress is not None:
                progress(at, _head(app, at))
    return at


@contextmanager
def _reader(app: Application[Any], batch: int) -> Iterator[Iterator[Batch]]:
    """Batches from the start of the log until one comes back short, read one ahead in a
    thread (reading waits on the database, and so does writing: the two overlap)."""
    ahead: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read_all() -> None:
        at = 0
        try:
            while not stop.is_set():
                read = read_batch(app, at, batch)
                if read is not None:
                    ahead.put(read)
                    at = read.last
                if read is None or len(read.ids) < batch:
                    break
            ahead.put(None)
        except BaseException as failure:  # handed to the consumer, which raises it
            ahead.put(failure)

    def batches() -> Iterator[Batch]:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item

    thread = threading.Thread(target=read_all, name="rebuild-reader", daemon=True)
    thread.start()
    try:
        yield batches()
    finally:
        stop.set()
        while thread.is_alive():  # unblock a reader waiting to hand over a batch
            with suppress(queue.Empty):
                ahead.get_nowait()
            thread.join(0.05)


def _tail(
    connection: Connection,
    app: Application[Any],
    folds: Sequence[Fold],
    rows: BufferedRows,
    shadow: str,
    at: int,
    batch: int,
) -> int:
    """Apply everything after `at` to the shadow tables, in the caller's transaction."""
    with _translated(connection, shadow):
        while (read := read_batch(app, at, batch)) is not None:
            _fold(folds, rows, read)
            at = read.last
        rows.flush()
    return at


def _fold(folds: Sequence[Fold], rows: BufferedRows, read: Batch) -> None:
    events = tuple(read.events)  # one unchangeable batch: what folds derive from it is shared
    for fold in folds:
        fold(rows, events)


def _head(app: Application[Any], at: int) -> int:
    return max(at, app.recorder.max_notification_id() or 0)


@contextmanager
def _translated(connection: Connection, schema: str) -> Iterator[None]:
    connection.execution_options(schema_translate_map={None: schema})
    try:
        yield
    finally:
        connection.execution_options(schema_translate_map=None)


@contextmanager
def _shadow(connection: Connection, tables: Sequence[Table]) -> Iterator[str]:
    """A fresh, empty shadow of `tables`; yields its schema name, removed afterwards."""
    if connection.dialect.name == "postgresql":
        shadow = f"redress_rebuild_{uuid4().hex[:12]}"
        with connection.begin():
            connection.exec_driver_sql(f"CREATE SCHEMA {shadow}")
            with _translated(connection, shadow):
                _create(connection, tables)
        try:
            yield shadow
        finally:
            with connection.begin():
                connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {shadow} CASCADE")
        return
    yield from _sqlite_shadow(connection, tables)


def _sqlite_shadow(connection: Connection, tables: Sequence[Table]) -> Iterator[str]:
    database = connection.exec_driver_sql("PRAGMA database_list").all()[0][2]
    path = Path(f"{database}.rebuild-{uuid4().hex[:12]}")
    connection.exec_driver_sql("ATTACH DATABASE ? AS shadow", (str(path),))
    try:
        # A scratch file: no journal, no fsync. A crash leaves it behind, never half-swapped.
        connection.exec_driver_sql("PRAGMA shadow.journal_mode=OFF")
        connection.exec_driver_sql("PRAGMA shadow.synchronous=OFF")
        connection.commit()
        with connection.begin(), _translated(connection, "shadow"):
            _create(connection, tables)
        yield "shadow"
    finally:
        connection.rollback()
        connection.exec_driver_sql("DETACH DATABASE shadow")
        connection.commit()
        with suppress(FileNotFoundError):
            os.remove(path)


def _create(connection: Connection, tables: Sequence[Table]) -> None:
    """The tables with their primary keys; their other indexes come once they are filled,
    which is faster than keeping them up to date row by row."""
    for table in tables:
        connection.execute(CreateTable(table))


def _index(connection: Connection, shadow: str, tables: Sequence[Table]) -> None:
    """PostgreSQL: the filled shadow tables get their indexes, outside the swap's lock.
    (SQLite's shadow is only copied from, into live tables that have theirs.)"""
    if connection.dialect.name != "postgresql":
        return
    with connection.begin(), _translated(connection, shadow):
        for table in tables:
            for index in table.indexes:
                connection.execute(CreateIndex(index))


def _swap(connection: Connection, shadow: str, tables: Sequence[Table]) -> None:
    quote = connection.dialect.identifier_preparer.quote
    if connection.dialect.name == "postgresql":
        live = connection.exec_driver_sql("SELECT current_schema()").scalar_one()
        for table in tables:
            connection.exec_driver_sql(f"DROP TABLE {quote(live)}.{quote(table.name)}")
            connection.exec_driver_sql(
                f"ALTER TABLE {shadow}.{quote(table.name)} SET SCHEMA {quote(live)}"
            )
        return
    for table in tables:
        columns = ", ".join(quote(c.name) for c in table.columns)
        connection.exec_driver_sql(f"DELETE FROM main.{quote(table.name)}")
        connection.exec_driver_sql(
            f"INSERT INTO main.{quote(table.name)} ({columns}) "
            f"SELECT {columns} FROM shadow.{quote(table.name)}"
        )
