"""One psycopg pool per process: SQLAlchemy borrows the event store's connections.

The eventsourcing library keeps its own psycopg pool (`psycopg_pool.ConnectionPool`, in
autocommit with dict rows). A SQLAlchemy engine with a pool of its own beside it doubles the
connections a process holds on the server; a fleet of them ran past `max_connections`. Here
SQLAlchemy's engine opens no connection: each checkout borrows one of the library's, set the
way SQLAlchemy's psycopg dialect expects (transactions, tuple rows), and gives it back set
as the library left it. The library's pool bounds both, and reconnects for both.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import dict_row, tuple_row
from psycopg_pool import ConnectionPool
from sqlalchemy import Engine, create_engine
from sqlalchemy.dialects.postgresql.psycopg import _log_notices
from sqlalchemy.pool import NullPool

BORROW_TIMEOUT = 30.0  # seconds, as SQLAlchemy's own pool waits for a connection


class LentPool(NullPool):
    """A SQLAlchemy pool whose connections are the library pool's, borrowed per checkout."""

    def __init__(self, lender: ConnectionPool, **kw: Any) -> None:
        self._lender = lender
        super().__init__(self._borrow, **kw)  # type: ignore[arg-type]

    def _borrow(self) -> psycopg.Connection[Any]:
        while True:
            connection = self._lender.getconn(timeout=BORROW_TIMEOUT)
            try:
                # Like SQLAlchemy's pre-ping: a connection the server dropped is not handed on.
                ConnectionPool.check_connection(connection)
            except psycopg.Error:
                connection.close()
                self._lender.putconn(connection)  # closed: the pool drops it
                continue
            connection.autocommit = False
            connection.row_factory = tuple_row
            return connection

    def _close_connection(self, connection: Any, *, terminate: bool = False) -> None:
        # The dialect adds its notice handler on every checkout ("connect"): take it off.
        handlers = getattr(connection, "_notice_handlers", [])
        while _log_notices in handlers:
            connection.remove_notice_handler(_log_notices)
        try:
            if terminate:
                connection.close()  # SQLAlchemy found it broken: the lender drops it
            elif not connection.closed:
                if connection.info.transaction_status != TransactionStatus.IDLE:
                    connection.rollback()
                connection.autocommit = True
                connection.row_factory = dict_row
        except psycopg.Error:
            connection.close()  # not back to the library's state: the lender drops it
        finally:
            self._lender.putconn(connection)  # always: else the pool would shrink for good

    def recreate(self) -> LentPool:
        return type(self)(
            self._lender,
            echo=self.echo,
            logging_name=self._orig_logging_name,
            reset_on_return=self._reset_on_return,
            _dispatch=self.dispatch,
            dialect=self._dialect,
        )


def lent_engine(url: str, lender: ConnectionPool) -> Engine:
    """A psycopg engine on `url` whose every connection is borrowed from `lender`."""
    return create_engine(url, pool=LentPool(lender))
