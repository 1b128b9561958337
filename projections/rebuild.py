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

Split by aggregate (`rebuild_split`, PostgreSQL only): decoding and folding are CPU-bound
Python, so on PostgreSQL the log up to its head is shared out by aggregate among processes
(`build_part`), each filling the one shadow with the rows of its own cases and stores. Every
row but a total's is one aggregate's; totals (`Projection.totals`: a store's refunds) are
held back by each part and added up here. Then the tail, indexes and swap as above.
"""

from __future__ import annotations

import gc
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from itertools import accumulate, pairwise
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import Application
from sqlalchemy import Connection, Engine, Index, Table
from sqlalchemy.schema import CreateIndex, CreateTable

from projections.buffered import LIMIT, BufferedRows
from projections.rows import Row, insert_rows
from projections.tracking import (
    Batch,
    Fold,
    Projection,
    positions,
    read_batch,
    read_part,
    set_position,
)

BATCH = 2000
IDS = 1 << 128  # aggregate ids are UUIDs: 128-bit numbers
INDEXING = 2  # sessions building the shadow's indexes
Progress = Callable[[int, int], None]  # events read, head of the log when last looked
Held = dict[str, list[Row]]  # a part's rows of the totals tables, by table name


@dataclass(frozen=True)
class Part:
    """The aggregates whose ids, as numbers, lie from `start` up to `end` (excluded), and the
    position the part is built up to. Aggregate ids are random UUIDs, so a part holds about
    `share` of the log's events."""

    start: int
    end: int
    upto: int

    @property
    def share(self) -> float:
        return (self.end - self.start) / IDS

    @classmethod
    def split(cls, shares: Sequence[float], upto: int) -> list[Part]:
        """Parts of these relative sizes, in order, covering every id."""
        whole = sum(shares)
        edges = [0, *(int(IDS * sofar / whole) for sofar in accumulate(shares[:-1])), IDS]
        return [cls(start, end, upto) for start, end in pairwise(edges)]


# shadow schema, head, what indexes the shadow → what each part held
Parts = Callable[[str, int, Callable[[], None]], Sequence[Held]]


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
        with _reader(app, batch) as batches:
            at = _build(connection, folds, rows, shadow, batches, progress, partial(_head, app))
        return _finish(connection, app, projections, rows, shadow, at, batch)


def rebuild_split(
    engine: Engine,
    app: Application[Any],
    projections: Sequence[Projection],
    parts: Parts,
    *,
    batch: int = BATCH,
    buffered: int = LIMIT,
) -> int:
    """Rebuild `projections` with the log split by aggregate, and swap them in; returns the
    position reached. `parts(shadow, head, index)` has every part of the log up to `head`
    folded into the `shadow` schema by `build_part` (each in a process of its own), calls
    `index()` once no part is left to start (the parts still running then write the last rows
    into indexed tables), and returns what each part held back; this adds that up, applies
    what was logged since and swaps."""
    tables = [table for p in projections for table in p.tables]
    folds = [_fold_of(p) for p in projections]
    with _rare_collections(), engine.connect() as connection:
        if connection.dialect.name != "postgresql":
            raise ValueError("a rebuild split by aggregate runs on PostgreSQL only")
        with _shadow(connection, tables) as shadow:
            at = _head(app, 0)
            indexed = threading.Event()

            def index() -> None:
                _index(connection, shadow, tables)
                indexed.set()

            held = parts(shadow, at, index)
            if not indexed.is_set():
                index()
            rows = BufferedRows(connection, limit=buffered, empty=False)
            with connection.begin(), _translated(connection, shadow):
                for totals in (t for p in projections for t in p.totals):
                    added = totals.add_up(_rows_of(totals.table, held))
                    insert_rows(connection, totals.table, added)
                # What was logged during the build, applied before the lock is taken.
                at = _tail(connection, app, folds, rows, shadow, at, batch)
            return _finish(connection, app, projections, rows, shadow, at, batch, indexed=True)


def build_part(
    engine: Engine,
    app: Application[Any],
    projections: Sequence[Projection],
    shadow: str,
    part: Part,
    *,
    batch: int = BATCH,
    progress: Progress | None = None,
    buffered: int = LIMIT,
) -> Held:
    """Fold the events of `part`'s aggregates into the `shadow` schema's tables; returns the
    rows of the totals tables, which other parts share, held back for `rebuild_split`."""
    folds = [_fold_of(p) for p in projections]
    held = [totals.table for p in projections for totals in p.totals]
    with _rare_collections(), engine.connect() as connection:
        rows = BufferedRows(connection, limit=buffered, held=held)
        with _read_ahead(_part_pages(app, part, batch)) as batches:
            _build(connection, folds, rows, shadow, batches, progress, lambda _: part.upto)
        with connection.begin(), _translated(connection, shadow):
            rows.flush()
        return {table.name: rows.held_rows(table) for table in held}


def _rows_of(table: Table, held: Sequence[Held]) -> Iterator[Row]:
    for part in held:
        yield from part.get(table.name, ())


def _finish(
    connection: Connection,
    app: Application[Any],
    projections: Sequence[Projection],
    rows: BufferedRows,
    shadow: str,
    at: int,
    batch: int,
    *,
    indexed: bool = False,
) -> int:
    """Write what `rows` holds, index the shadow (unless `indexed` already), then in one
    transaction: lock the positions, apply the tail of the log, swap the tables in and set the
    positions."""
    tables = [table for p in projections for table in p.tables]
    folds = [_fold_of(p) for p in projections]
    with connection.begin(), _translated(connection, shadow):
        rows.flush()
    if not indexed:
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
    folds: Sequence[Fold],
    rows: BufferedRows,
    shadow: str,
    batches: Iterable[Batch],
    progress: Progress | None,
    head: Callable[[int], int],
) -> int:
    """Fold `batches` into `rows`, writing them out whenever the buffer is full; returns the
    position of the last event folded. `head(at)` is the end of the log, for `progress`."""
    at = 0
    for read in batches:
        with connection.begin(), _translated(connection, shadow):
            _fold(folds, rows, read)
            rows.flush_if_full()
        at = read.last
        if progress is not None:
            progress(at, head(at))
    return at


@contextmanager
def _reader(app: Application[Any], batch: int) -> Iterator[Iterator[Batch]]:
    """Batches from the start of the log until one comes back short (the swap applies
    whatever is logged after that), read ahead."""
    with _read_ahead(_until_short(app, batch)) as batches:
        yield batches


def _until_short(app: Application[Any], batch: int) -> Iterator[Batch]:
    at = 0
    while (read := read_batch(app, at, batch)) is not None:
        yield read
        at = read.last
        if len(read.ids) < batch:
            return


def _part_pages(app: Application[Any], part: Part, batch: int) -> Iterator[Batch]:
    """The part's events up to `part.upto`, in windows of positions that hold about `batch`
    of them each."""
    at, window = 0, max(batch, int(batch / max(part.share, 1e-6)))
    first, last = UUID(int=part.start), UUID(int=part.end - 1)
    while at < part.upto:
        end = min(at + window, part.upto)
        read = read_part(app, at, end, first, last)
        if read is not None:
            yield read
        at = end


@contextmanager
def _read_ahead(source: Iterator[Batch]) -> Iterator[Iterator[Batch]]:
    """The batches of `source`, read and decoded one ahead in a thread while the caller folds
    (reading waits on the database, and so does writing: the two overlap)."""
    ahead: queue.Queue[Batch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read_all() -> None:
        try:
            for read in source:
                if stop.is_set():
                    break
                ahead.put(read)
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
    """PostgreSQL: the filled shadow tables get their indexes, outside the swap's lock, built
    by two sessions side by side (each index is one backend's work; CREATE INDEX of one table
    from two sessions do not wait for each other). SQLite's shadow is only copied from, into
    live tables that have theirs.

    Each index commits on its own, so a session never holds one table while it waits for
    another: parts of a split rebuild may still be writing (and locking) several tables."""
    if connection.dialect.name != "postgresql":
        return
    indexes = [index for table in tables for index in table.indexes]

    def build(some: Sequence[Index]) -> None:
        with connection.engine.connect() as session, _translated(session, shadow):
            for index in some:
                with session.begin():
                    session.execute(CreateIndex(index))

    with ThreadPoolExecutor(INDEXING) as pool:
        list(pool.map(build, [indexes[k::INDEXING] for k in range(INDEXING)]))


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
