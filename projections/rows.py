"""Batched row access for projections: load the rows a batch touches in one query, change them
in memory, write them back with one executemany per statement shape.

Projections fold events through a `RowStore`: `DatabaseRows` reads and writes the tables in
the caller's transaction (the projector); `projections.buffered.BufferedRows` keeps the rows
in memory and writes them in bulk (a rebuild). The projection logic is the same for both.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol, cast

import psycopg
from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    DateTime,
    Integer,
    String,
    Table,
    bindparam,
    delete,
    insert,
    select,
    update,
)

CHUNK = 500  # ids per IN (...) list: well inside every driver's parameter limit
COPY_FROM = 64  # rows from which an insert on PostgreSQL is a COPY
Row = dict[str, Any]


class RowStore(Protocol):
    """Where a projection reads the rows a batch touches and writes what it changed. Rows
    handed out are the caller's to change; a change counts once written back."""

    def load(self, table: Table, key: Column[Any], ids: Iterable[str]) -> dict[str, Row]:
        """The rows whose unique `key` is one of `ids`, keyed by it."""
        ...

    def select_in(self, table: Table, key: Column[Any], ids: Iterable[str]) -> list[Row]:
        """The rows whose `key` is one of `ids`."""
        ...

    def insert(self, table: Table, rows: Sequence[Row]) -> None: ...

    def update(self, table: Table, keys: Sequence[str], rows: Sequence[Row]) -> None:
        """Set the columns each row carries on the row its primary key `keys` names."""
        ...

    def delete_where_in(self, key: Column[Any], ids: Iterable[str]) -> None: ...


class DatabaseRows:
    """A `RowStore` over the caller's connection (and transaction)."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def load(self, table: Table, key: Column[Any], ids: Iterable[str]) -> dict[str, Row]:
        return load(self.connection, table, key, ids)

    def select_in(self, table: Table, key: Column[Any], ids: Iterable[str]) -> list[Row]:
        return select_in(self.connection, table, key, ids)

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        insert_rows(self.connection, table, rows)

    def update(self, table: Table, keys: Sequence[str], rows: Sequence[Row]) -> None:
        update_rows(self.connection, table, keys, rows)

    def delete_where_in(self, key: Column[Any], ids: Iterable[str]) -> None:
        delete_where_in(self.connection, key, ids)


def chunks(items: Sequence[str], size: int = CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def select_in(
    connection: Connection, table: Table, key: Column[Any], ids: Iterable[str]
) -> list[Row]:
    """The rows whose `key` is one of `ids`."""
    found: list[Row] = []
    for part in chunks(sorted(set(ids))):
        found.extend(
            dict(r) for r in connection.execute(select(table).where(key.in_(part))).mappings()
        )
    return found


def load(
    connection: Connection, table: Table, key: Column[Any], ids: Iterable[str]
) -> dict[str, Row]:
    """The rows whose unique `key` is one of `ids`, keyed by it."""
    return {row[key.name]: row for row in select_in(connection, table, key, ids)}


def insert_rows(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    if len(rows) >= COPY_FROM and connection.dialect.name == "postgresql":
        _copy(connection, table, rows)
    elif rows:
        connection.execute(insert(table), list(rows))


def _copy(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    """PostgreSQL's COPY: several times faster than multi-row INSERTs for a rebuild's bulk, and
    its binary format takes a quarter of the text format's CPU here. It goes to the table the
    connection's `schema_translate_map` names (a rebuild's shadow)."""
    translate = connection.get_execution_options().get("schema_translate_map") or {}
    schema = translate.get(table.schema, table.schema)
    quote = connection.dialect.identifier_preparer.quote
    target = quote(table.name) if schema is None else f"{quote(schema)}.{quote(table.name)}"
    columns = list(rows[0])
    types = [_binary_type(table.c[name]) for name in columns]
    binary = None not in types
    statement = f"COPY {target} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    if binary:
        statement += " (FORMAT BINARY)"
    driver = cast(psycopg.Connection[Any], connection.connection.dbapi_connection)
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        if binary:
            copy.set_types(cast(list[str], types))
        for row in rows:
            copy.write_row([row[c] for c in columns])


def _binary_type(column: Column[Any]) -> str | None:
    """The PostgreSQL type a column's values are sent as in a binary COPY (None: unknown here,
    so the COPY is in text). Text goes as `text`, which has varchar's binary form."""
    kind = column.type
    if isinstance(kind, Boolean):
        return "bool"
    if isinstance(kind, BigInteger):
        return "int8"
    if isinstance(kind, Integer):
        return "int4"
    if isinstance(kind, DateTime):
        return "timestamptz" if kind.timezone else "timestamp"
    if isinstance(kind, String):
        return "text"
    return None


def update_rows(
    connection: Connection, table: Table, keys: Sequence[str], rows: Sequence[Row]
) -> None:
    """UPDATE each row by its primary key `keys` (every row carries the same columns)."""
    if not rows:
        return
    columns = [name for name in rows[0] if name not in keys]
    statement = update(table).values({name: bindparam(f"v_{name}") for name in columns})
    for name in keys:
        statement = statement.where(table.c[name] == bindparam(f"k_{name}"))
    connection.execute(
        statement,
        [
            {**{f"v_{n}": row[n] for n in columns}, **{f"k_{n}": row[n] for n in keys}}
            for row in rows
        ],
    )


def delete_where_in(connection: Connection, key: Column[Any], ids: Iterable[str]) -> None:
    table = key.table
    assert isinstance(table, Table)
    for part in chunks(sorted(set(ids))):
        connection.execute(delete(table).where(key.in_(part)))


def utc(instant: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every instant stored here is UTC."""
    if instant is None:
        return None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
