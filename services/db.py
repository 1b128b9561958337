"""Database plumbing: engines for the services' own tables, and migrations on start-up."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import uuid4

from psycopg_pool import ConnectionPool
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.util import greenlet_spawn

from services.eventstore.lent_pool import lent_engine
from services.settings import Settings

if TYPE_CHECKING:  # imported where an engine is made: SQLAlchemy's asyncio part loads its ORM
    from sqlalchemy.ext.asyncio import AsyncEngine

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
MIGRATION_LOCK = 0x7265647265737300  # "redress\0": the advisory lock key for migrations
REPLICA_CONNECT_TIMEOUT = 3  # seconds: a replica that is away must fail fast (reads fall back)
PING_AFTER_IDLE = 1.0  # seconds in the pool after which a connection is checked before use
_RETURNED_AT = "redress_returned_at"
T = TypeVar("T")


def sync_engine(settings: Settings, lender: ConnectionPool | None = None) -> Engine:
    """SQLAlchemy's engine. `lender`: the event store's psycopg pool (PostgreSQL), which then
    lends it every connection, so that a process holds one psycopg pool
    (services.eventstore.lent_pool)."""
    if settings.is_sqlite:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(settings.sqlalchemy_url(), connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if lender is not None:
        return lent_engine(settings.sqlalchemy_url(driver="psycopg"), lender)
    return postgres_engine(settings, settings.database_url, pooled=settings.transaction_pooled)


def postgres_engine(
    settings: Settings, url: str, *, pooled: bool, connect_timeout: float | None = None
) -> Engine:
    """A psycopg engine on `url`; `pooled` (a transaction pooler) prepares no statement."""
    connect_args: dict[str, object] = {"prepare_threshold": None} if pooled else {}
    if connect_timeout is not None:
        connect_args["connect_timeout"] = connect_timeout
    return ping_when_idle(
        create_engine(
            settings.sqlalchemy_url(driver="psycopg", url=url),
            pool_size=settings.db_pool_size,
            max_overflow=0,  # bounded: a fleet must fit max_connections
            connect_args=connect_args,
        )
    )


def async_engine(settings: Settings) -> AsyncEngine:
    from sqlalchemy.ext.asyncio import create_async_engine

    if settings.is_sqlite:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(
            f"sqlite+aiosqlite:///{settings.sqlite_path}", connect_args={"timeout": 30}
        )
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return postgres_async_engine(
        settings, settings.database_url, pooled=settings.transaction_pooled
    )


def postgres_async_engine(
    settings: Settings, url: str, *, pooled: bool, connect_timeout: float | None = None
) -> AsyncEngine:
    """An asyncpg engine on `url`. Behind a transaction pooler neither asyncpg nor SQLAlchemy
    caches a statement, and each statement gets a name of its own (SQLAlchemy's advice for
    PgBouncer): it is prepared and run in one transaction, on one server connection."""
    from sqlalchemy.ext.asyncio import create_async_engine

    address = settings.sqlalchemy_url(driver="asyncpg", url=url)
    connect_args: dict[str, object] = {}
    if connect_timeout is not None:
        connect_args["timeout"] = connect_timeout
    if pooled:
        address += ("&" if "?" in address else "?") + "prepared_statement_cache_size=0"
        connect_args.update(
            statement_cache_size=0,
            prepared_statement_name_func=lambda: f"__asyncpg_{uuid4().hex}__",
        )
    engine = create_async_engine(
        address,
        pool_size=settings.db_pool_size,
        max_overflow=0,  # bounded: a fleet must fit max_connections
        connect_args=connect_args,
    )
    ping_when_idle(engine.sync_engine)
    return engine


def ping_when_idle(engine: Engine) -> Engine:
    """Check a connection on checkout only when it has sat in the pool for a while.

    SQLAlchemy's `pool_pre_ping` pings on every checkout; asyncpg's ping is BEGIN, `;`,
    ROLLBACK, which cost the GET hot path three round trips for its one lookup (about 110 µs
    of CPU a read, more than the lookup). A connection given back moments ago has just proved
    itself; one idle for longer (as all are after the server restarted) is pinged, and a dead
    one replaced before anyone uses it. A connection that breaks while busy is still
    recognised by the failure itself (the pool then drops every connection of its age)."""

    @event.listens_for(engine, "checkin")
    def _returned(_dbapi_connection: Any, record: Any) -> None:
        if record is not None:
            record.info[_RETURNED_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_RETURNED_AT)
        if returned is None or time.monotonic() - returned < PING_AFTER_IDLE:
            return  # a new connection, or one just used
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as dead:
            raise DisconnectionError(f"connection dead after idling: {dead}") from dead

    return engine


async def on_asyncpg(engine: AsyncEngine, use: Callable[[Any], Awaitable[T]]) -> T:
    """`use` on an asyncpg connection of the engine's pool, from the event loop. A failed or
    cancelled query (the client hung up) may leave the connection broken or still busy, and
    the pool is shared with every other query of the process, so it is then dropped, not
    given back ("another operation is in progress" otherwise)."""
    borrowed = await engine.raw_connection()
    try:
        return await use(borrowed.driver_connection)
    except BaseException as failed:
        borrowed.invalidate(failed)
        raise
    finally:
        await greenlet_spawn(borrowed.close)


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets readers run beside the one writer; the event store uses the same file.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def wait_for_database(settings: Settings, attempts: int = 30, delay: float = 1.0) -> None:
    """Start-up waits for the database with a bounded retry."""
    engine = sync_engine(settings)
    try:
        for attempt in range(1, attempts + 1):
            try:
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
                return
            except Exception as exc:  # any driver error means "not yet"
                if attempt == attempts:
                    raise
                log.warning(
                    "database not ready (attempt %d/%d): %s", attempt, attempts, type(exc).__name__
                )
                time.sleep(delay)
    finally:
        engine.dispose()


def prepare(settings: Settings) -> None:
    """What every process does first: wait for the database, then migrate it."""
    wait_for_database(settings)
    migrate(settings)


def migrate(settings: Settings) -> None:
    """Apply every Alembic migration (idempotent)."""
    # Imported here: Alembic (with Mako and Pygments) takes about 0.13 s to import, and the
    # processes a command spawns to work beside it (a rebuild's parts) never migrate.
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # DDL and the advisory lock go over a session of their own, past any transaction pooler.
    direct = settings.model_copy(update={"database_url": settings.session_url})
    url = direct.sqlalchemy_url()
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    engine = sync_engine(direct)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Replicas starting together migrate one at a time; the others then find
                # nothing to do. The lock ends with this transaction.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK}
                )
            config.attributes["connection"] = connection
            # Each service owns a branch of migrations off 0001; "heads" applies them all.
            command.upgrade(config, "heads")
    finally:
        engine.dispose()
