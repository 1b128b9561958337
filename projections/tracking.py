"""Following the event log: read a batch of notifications after a projection's position and
apply them in the same transaction that advances the position, so nothing is applied twice or
skipped after a crash.

Positions are notification ids. PostgreSQL commits them in order (the event store locks its
table for every insert) and SQLite has one writer at a time, so a position is a complete
prefix of the log. Two followers of one projection never interleave: on PostgreSQL the
position row is locked `FOR UPDATE`; on SQLite the transaction takes the write lock when it
begins (`BEGIN IMMEDIATE`), before it reads the position.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection, Engine, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from projections.parking import apply_or_park
from projections.rows import Row, RowStore
from projections.tables import projection_positions
from services.eventstore.log_pages import Logged, page_after, part_page

BATCH = 500
Event = DomainEventProtocol[Any]
Apply = Callable[[Connection, Sequence[Event]], None]
Fold = Callable[[RowStore, Sequence[Event]], None]


@dataclass(frozen=True)
class Totals:
    """A table whose rows add up the events of many aggregates (a store's refunds over its
    cases). A rebuild split by aggregate gets partial rows from each part: `add_up` turns them,
    all together, into the rows one pass over the whole log gives."""

    table: Table
    add_up: Callable[[Iterable[Row]], list[Row]]


@dataclass(frozen=True)
class Projection:
    """A read model: its name (the key of its position), how it applies events in a
    transaction, the tables it owns (a rebuild replaces exactly these), for a rebuild the same
    logic over rows held in memory (`apply` is `fold` over `DatabaseRows`), which of its
    tables add up over aggregates (every other row is one aggregate's), and, where `apply`
    reads only a few of an event's fields, which (a follower then decodes only those)."""

    name: str
    apply: Apply
    tables: tuple[Table, ...] = field(default=())
    fold: Fold | None = None
    totals: tuple[Totals, ...] = field(default=())
    reads: frozenset[str] | None = None  # None: whole events


@dataclass(frozen=True)
class Batch:
    """Decoded events with their notification ids (ascending)."""

    ids: list[int]
    events: list[Event]

    @property
    def last(self) -> int:
        return self.ids[-1]

    def after(self, position: int) -> list[Event]:
        """The events this batch holds beyond `position`."""
        return self.events[bisect_right(self.ids, position) :]

    def ids_after(self, position: int) -> list[int]:
        """The notification ids of `after(position)`."""
        return self.ids[bisect_right(self.ids, position) :]


def read_batch(
    app: Application[Any], after: int, limit: int, fields: frozenset[str] | None = None
) -> Batch | None:
    """Up to `limit` events after position `after`: whole, or with only `fields` read."""
    return _decoded(app, page_after(app.recorder, after, limit), fields)


def read_part(
    app: Application[Any], after: int, upto: int, first: UUID, last: UUID
) -> Batch | None:
    """The events after `after` up to `upto` of the aggregates with ids `first` to `last`."""
    return _decoded(app, part_page(app.recorder, after, upto, first, last))


def _decoded(
    app: Application[Any], logged: Sequence[Logged], fields: frozenset[str] | None = None
) -> Batch | None:
    if not logged:
        return None
    # Both read only the fields a `Logged` has.
    if fields is None:
        events = [app.mapper.to_domain_event(n) for n in logged]  # type: ignore[arg-type]
    else:
        partial = app.mapper.to_partial_event  # type: ignore[attr-defined]
        events = [partial(n, fields) for n in logged]
    return Batch([n.id for n in logged], events)


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A write transaction that holds the database's write lock from its start on SQLite."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def positions(
    connection: Connection, names: Iterable[str], *, lock: bool = False
) -> dict[str, int]:
    """The tracked positions (0 for a projection never run), locked until commit if asked."""
    wanted = sorted(set(names))  # one lock order everywhere: no deadlocks between followers
    rows = [{"name": name, "position": 0} for name in wanted]
    if connection.dialect.name == "postgresql":
        connection.execute(postgresql.insert(projection_positions).on_conflict_do_nothing(), rows)
    else:
        connection.execute(sqlite.insert(projection_positions).on_conflict_do_nothing(), rows)
    query = (
        select(projection_positions.c.name, projection_positions.c.position)
        .where(projection_positions.c.name.in_(wanted))
        .order_by(projection_positions.c.name)
    )
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update()
    return {name: int(at) for name, at in connection.execute(query).all()}


def position(connection: Connection, name: str, *, lock: bool = False) -> int:
    return positions(connection, [name], lock=lock)[name]


def set_position(connection: Connection, name: str, at: int) -> None:
    connection.execute(
        update(projection_positions).where(projection_positions.c.name == name).values(position=at)
    )


def step(
    connection: Connection,
    app: Application[Any],
    projections: Sequence[Projection],
    batch: int = BATCH,
) -> int:
    """Apply the next batch to every projection behind the log, advancing their positions in
    the caller's transaction; returns how many notifications were read. An event a read model
    cannot take is parked and skipped (projections.parking)."""
    at = positions(connection, [p.name for p in projections], lock=True)
    reads = [p.reads for p in projections]
    fields = None if None in reads else frozenset[str]().union(*(r for r in reads if r))
    read = read_batch(app, min(at.values()), batch, fields)
    if read is None:
        return 0
    for projection in projections:
        events = read.after(at[projection.name])
        if events:
            ids = read.ids_after(at[projection.name])
            apply_or_park(connection, projection.name, projection.apply, ids, events)
            set_position(connection, projection.name, read.last)
    return len(read.ids)


def behind(engine: Engine, app: Application[Any], projections: Sequence[Projection]) -> bool:
    """Whether the log holds events some projection has not applied: a check that takes no
    lock, so idle followers do not contend with writers for SQLite's write lock."""
    names = [p.name for p in projections]
    with engine.connect() as connection:
        rows = connection.execute(
            select(projection_positions.c.name, projection_positions.c.position).where(
                projection_positions.c.name.in_(names)
            )
        ).all()
    found = {name: int(at) for name, at in rows}
    return min(found.get(name, 0) for name in names) < head(app)


def follow(
    engine: Engine,
    app: Application[Any],
    projections: Sequence[Projection],
    batch: int = BATCH,
) -> int:
    """Apply everything after the tracked positions, one transaction per batch; returns how
    many notifications were read."""
    if not behind(engine, app, projections):
        return 0
    total = 0
    while True:
        with transaction(engine) as connection:
            read = step(connection, app, projections, batch)
        total += read
        if read < batch:
            return total


def catch_up(
    engine: Engine,
    app: Application[Any],
    name: str,
    apply: Apply,
    batch: int = BATCH,
    reads: frozenset[str] | None = None,
) -> int:
    """Apply every notification after one projection's position; returns how many were read
    (`reads`: as `Projection.reads`)."""
    return follow(engine, app, [Projection(name, apply, reads=reads)], batch)


def head(app: Application[Any]) -> int:
    """The position of the last event in the log (0 when it is empty)."""
    return app.recorder.max_notification_id() or 0
