"""Reading a page of the event log after a position: the projector's reader (`page_after`),
a rebuild's share of the log split by aggregate (`part_page`), and the event feed's on a
read replica (`ReplicaLog`).

On PostgreSQL the page is read with the library's connection pool and table, as the library's
`select_notifications` does, but into plain named tuples (not a dict, then a frozen dataclass,
per row) and in PostgreSQL's binary format (event states come as raw bytes, not hex text to
parse): a third of the CPU and half the time, and a rebuild reads the whole log. Other stores
use the library's method.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, cast
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import InterfaceError, Notification, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.utils import retry
from psycopg.rows import namedtuple_row
from psycopg.sql import SQL, Identifier
from sqlalchemy import Engine, text

from services.eventstore.tables import events_table


class Logged(Protocol):
    """A stored event with its position, as the mapper decodes it."""

    @property
    def id(self) -> int: ...

    @property
    def originator_id(self) -> Any: ...

    @property
    def originator_version(self) -> int: ...

    @property
    def topic(self) -> str: ...

    @property
    def state(self) -> bytes: ...


PAGE = SQL(
    "SELECT notification_id AS id, originator_id, originator_version, topic, state "
    "FROM {schema}.{table} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
)

# A share of the aggregates by a range of their ids, so every event of an aggregate falls in
# the same share. The window is a range of positions, not a LIMIT (with a LIMIT, PostgreSQL's
# plan scanned the log from its start for every page). The ids are compared as bytes, in the
# same order: compared as UUIDs, the plan also scanned half the primary key's index for every
# page.
PART = SQL(
    "SELECT notification_id AS id, originator_id, originator_version, topic, state "
    "FROM {schema}.{table} WHERE notification_id > %s AND notification_id <= %s "
    "AND uuid_send(originator_id) BETWEEN %s AND %s ORDER BY notification_id"
)


def page_after(recorder: Any, after: int, limit: int) -> Sequence[Logged]:
    """Up to `limit` stored events after position `after`, in order."""
    if isinstance(recorder, PostgresApplicationRecorder):
        return cast(Sequence[Logged], _postgres_rows(recorder, PAGE, (after, limit)))
    return cast(Sequence[Logged], recorder.select_notifications(start=after + 1, limit=limit))


def part_page(recorder: Any, after: int, upto: int, first: UUID, last: UUID) -> Sequence[Logged]:
    """The stored events after position `after` up to `upto`, in order, of the aggregates
    whose ids lie from `first` to `last` (PostgreSQL only)."""
    if not isinstance(recorder, PostgresApplicationRecorder):
        raise TypeError("a log split by aggregate is read from PostgreSQL only")
    share = (after, upto, first.bytes, last.bytes)
    return cast(Sequence[Logged], _postgres_rows(recorder, PART, share))


@retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)  # as the library's
def _postgres_rows(
    recorder: PostgresApplicationRecorder, query: SQL, parameters: tuple[int | bytes, ...]
) -> Sequence[Logged]:
    datastore = recorder.datastore
    statement = query.format(
        schema=Identifier(datastore.schema), table=Identifier(recorder.events_table_name)
    )
    with datastore.get_connection() as connection:
        cursor = connection.cursor(row_factory=namedtuple_row, binary=True)
        with cursor:
            cursor.execute(statement, parameters, prepare=True)
            return cast(list[Logged], cursor.fetchall())


class Log(Protocol):
    """The part of the event store a page reads."""

    def max_notification_id(self) -> int | None: ...

    def select_notifications(self, start: int, limit: int) -> Sequence[Notification]: ...


class ReplicaLog:
    """The event log's table, read through a read replica's engine."""

    def __init__(self, engine: Engine, app: Application[Any]) -> None:
        table = events_table(app)
        self.engine = engine
        self._head = text(f"SELECT max(notification_id) FROM {table}")
        self._rows = text(
            "SELECT notification_id, originator_id, originator_version, topic, state "
            f"FROM {table} WHERE notification_id >= :start ORDER BY notification_id LIMIT :limit"
        )

    def max_notification_id(self) -> int | None:
        with self.engine.connect() as connection:
            found: int | None = connection.execute(self._head).scalar()
            return found

    def select_notifications(self, start: int, limit: int) -> Sequence[Notification]:
        with self.engine.connect() as connection:
            rows = connection.execute(self._rows, {"start": start, "limit": limit})
            return [
                Notification(
                    id=row.notification_id,
                    originator_id=row.originator_id,
                    originator_version=row.originator_version,
                    topic=row.topic,
                    state=bytes(row.state),
                )
                for row in rows
            ]
