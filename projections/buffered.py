"""A `RowStore` that keeps rows in memory while a rebuild folds the log, and writes them to the
shadow tables in bulk: COPY for new rows, one executemany each for updates and deletes.

The rebuild starts from empty tables, so until the first flush the buffer holds every row
there is and a look-up that misses needs no query. It flushes when it holds `limit` rows (so
memory stays bounded however long the log) and when asked; after a flush, a look-up that
misses reads the table, once per key value.

A rebuild split by aggregate (`projections.rebuild.build_part`) holds back the rows of tables
that add up over aggregates (`held`): they are never written, and are handed back whole.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Sequence
from operator import itemgetter
from typing import Any

from sqlalchemy import Column, Connection, Table, and_, bindparam, delete

from projections.rows import Row, insert_rows, select_in, update_rows

LIMIT = 500_000  # rows held before a flush: about 0.6 kB each, some 300 MB


class BufferedRows:
    def __init__(
        self,
        connection: Connection,
        *,
        limit: int = LIMIT,
        empty: bool = True,
        held: Collection[Table] = (),
    ) -> None:
        """`connection` reaches the tables the rows are for: `empty` ones, or tables already
        filled (a look-up that misses then reads them). Rows of `held` tables stay here."""
        self.connection, self.limit = connection, limit
        self._images: dict[str, _Image] = {}
        self._complete = empty  # every row is here (until a flush)
        self._held = {table.name for table in held}

    def __len__(self) -> int:
        return sum(len(i.rows) for name, i in self._images.items() if name not in self._held)

    def load(self, table: Table, key: Column[Any], ids: Iterable[str]) -> dict[str, Row]:
        return {row[key.name]: row for row in self.select_in(table, key, ids)}

    def select_in(self, table: Table, key: Column[Any], ids: Iterable[str]) -> list[Row]:
        image = self._image(table)
        wanted = set(ids)
        if not self._whole(table):
            image.fetch(key.name, wanted, self.connection)
        return [dict(image.rows[k]) for k in image.keys_where(key.name, wanted)]

    def insert(self, table: Table, rows: Sequence[Row]) -> None:
        image = self._image(table)
        for row in rows:
            image.put(row)

    def update(self, table: Table, keys: Sequence[str], rows: Sequence[Row]) -> None:
        image = self._image(table)
        assert list(keys) == image.primary_key, (keys, image.primary_key)
        whole = self._whole(table)
        for row in rows:
            if not whole:
                image.fetch(keys[0], {row[keys[0]]}, self.connection)
            image.change(row)

    def delete_where_in(self, key: Column[Any], ids: Iterable[str]) -> None:
        table = key.table
        assert isinstance(table, Table)
        image = self._image(table)
        wanted = set(ids)
        if not self._whole(table):
            image.fetch(key.name, wanted, self.connection)
        for k in list(image.keys_where(key.name, wanted)):
            image.remove(k)

    def flush_if_full(self) -> None:
        if len(self) >= self.limit:
            self.flush()

    def flush(self) -> None:
        """Write every change to the tables (in the caller's transaction) and forget the rows,
        but for the held tables'."""
        for name in [name for name in self._images if name not in self._held]:
            self._images.pop(name).write(self.connection)
        self._complete = False

    def held_rows(self, table: Table) -> list[Row]:
        """Every row of a held table."""
        assert table.name in self._held, table.name
        return list(self._image(table).rows.values())

    def _whole(self, table: Table) -> bool:
        """Whether every row of `table` is here."""
        return self._complete or table.name in self._held

    def _image(self, table: Table) -> _Image:
        image = self._images.get(table.name)
        if image is None:
            image = self._images[table.name] = _Image(table)
        return image


class _Image:
    """One table's rows touched since the last flush, by primary key (a value, or a tuple
    for a composite key), with indexes on the other columns looked up by."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.primary_key = [c.name for c in table.primary_key.columns]
        self.key_of: Callable[[Row], Any] = itemgetter(*self.primary_key)
        self.rows: dict[Any, Row] = {}
        self.stored: set[Any] = set()  # in the table as of the last flush
        self.changed: set[Any] = set()  # stored, and changed since
        self.deleted: set[Any] = set()  # stored, and deleted since
        self.fetched: dict[str, set[Any]] = {}  # column → values whose stored rows are here
        self._indexes: dict[str, dict[Any, set[Any]]] = {}  # column → value → keys

    def keys_where(self, column: str, values: set[Any]) -> list[Any]:
        if self.primary_key == [column]:
            return [v for v in values if v in self.rows]
        index = self._index(column)
        return [k for v in values for k in index.get(v, ())]

    def fetch(self, column: str, values: set[Any], connection: Connection) -> None:
        """Read the stored rows with these `column` values that are not here yet."""
        done = self.fetched.setdefault(column, set())
        missing = values - done
        if self.primary_key == [column]:
            missing = {v for v in missing if v not in self.rows and v not in self.deleted}
        if not missing:
            return
        for row in select_in(connection, self.table, self.table.c[column], missing):
            k = self.key_of(row)
            if k not in self.rows and k not in self.deleted:
                self.stored.add(k)
                self._add(k, row)
        done |= missing

    def put(self, row: Row) -> None:
        k = self.key_of(row)
        if k in self.rows:
            raise ValueError(f"{self.table.name}: a row with key {k!r} exists already")
        if k in self.deleted:  # deleted and inserted again: an update of the stored row
            self.deleted.discard(k)
            self.changed.add(k)
        self._add(k, row)

    def change(self, values: Row) -> None:
        k = self.key_of(values)
        row = self.rows.get(k)
        if row is None:  # as an UPDATE of no row: nothing to do
            return
        for column, index in self._indexes.items():
            if column in values and values[column] != row[column]:
                index[row[column]].discard(k)
                index.setdefault(values[column], set()).add(k)
        row.update(values)
        if k in self.stored:
            self.changed.add(k)

    def remove(self, k: Any) -> None:
        row = self.rows.pop(k)
        for column, index in self._indexes.items():
            index[row[column]].discard(k)
        if k in self.stored:
            self.changed.discard(k)
            self.deleted.add(k)

    def write(self, connection: Connection) -> None:
        keys = self.primary_key
        if self.deleted:
            where = and_(*(self.table.c[name] == bindparam(f"k_{name}") for name in keys))
            connection.execute(
                delete(self.table).where(where),
                [
                    {f"k_{name}": value for name, value in zip(keys, self._parts(k), strict=True)}
                    for k in self.deleted
                ],
            )
        update_rows(connection, self.table, keys, [self.rows[k] for k in self.changed])
        insert_rows(
            connection, self.table, [r for k, r in self.rows.items() if k not in self.stored]
        )

    def _parts(self, k: Any) -> tuple[Any, ...]:
        return k if len(self.primary_key) > 1 else (k,)

    def _add(self, k: Any, row: Row) -> None:
        self.rows[k] = row
        for column, index in self._indexes.items():
            index.setdefault(row[column], set()).add(k)

    def _index(self, column: str) -> dict[Any, set[Any]]:
        index = self._indexes.get(column)
        if index is None:
            index = self._indexes[column] = {}
            for k, row in self.rows.items():
                index.setdefault(row[column], set()).add(k)
        return index
