"""The replica-tolerant reads' router (services.read_replica), the feed read on another server,
and the event store behind a transaction pooler, on a real PostgreSQL. A second engine on the
same database stands in for a caught-up replica (a server not in recovery has no lag); the
replica that lags, pauses and stops is tests/e2e/test_replica.py's."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.ext.asyncio import AsyncEngine
from support.postgres import free_port

from domain.money import ExchangeRates
from services.application import Redress
from services.db import async_engine, migrate, postgres_engine, sync_engine
from services.entrypoints.demo import seed
from services.notifier.feed import Feed
from services.read_replica import FALLBACKS, ReadReplica, read_replica
from services.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def settings(postgres_database: str) -> Settings:
    return Settings(database_url=postgres_database)


@pytest.fixture
def primary(settings: Settings) -> Iterator[tuple[Engine, AsyncEngine]]:
    engine, engine_async = sync_engine(settings), async_engine(settings)
    yield engine, engine_async
    engine.dispose()


def router(settings: Settings, primary: tuple[Engine, AsyncEngine], url: str) -> ReadReplica:
    pointed = settings.model_copy(update={"read_database_url": url})
    return read_replica(pointed, *primary)


def where(engine: Engine) -> Any:
    with engine.connect() as connection:
        return connection.execute(text("SELECT current_database()")).scalar()


def test_a_replica_within_the_lag_serves_the_reads(
    settings: Settings, primary: tuple[Engine, AsyncEngine], postgres_database: str
) -> None:
    reads = router(settings, primary, postgres_database)
    try:
        assert reads.state().reason == "unmeasured"  # the primary serves until it knows
        state = reads.check()
        assert (state.serving, state.lag_seconds, state.reason) == ("replica", 0.0, None)
        assert reads.run(lambda engine: engine) is reads.replica
        assert reads.run(where) == where(primary[0])  # the same data, the other engine
    finally:
        reads.close()


def test_an_unreachable_replica_sends_the_reads_to_the_primary(
    settings: Settings, primary: tuple[Engine, AsyncEngine]
) -> None:
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    reads = router(settings, primary, closed)
    before = FALLBACKS.labels("unreachable")._value.get()
    try:
        assert reads.check().view(reads.max_lag) == {
            "served_by": "primary",
            "replica_lag_seconds": None,
            "max_lag_seconds": 5.0,
            "fallback_reason": "unreachable",
        }
        assert reads.run(lambda engine: engine) is primary[0]
        assert FALLBACKS.labels("unreachable")._value.get() == before + 1
    finally:
        reads.close()


def test_a_read_that_fails_on_the_replica_is_answered_by_the_primary(
    settings: Settings, primary: tuple[Engine, AsyncEngine], postgres_url: str
) -> None:
    # A "replica" that answers the lag query but has no such table: the read fails there.
    with primary[0].begin() as connection:
        connection.execute(text("CREATE TABLE only_on_primary (n int)"))
        connection.execute(text("INSERT INTO only_on_primary VALUES (7)"))
    reads = router(settings, primary, postgres_url)

    def read(engine: Engine) -> Any:
        with engine.connect() as connection:
            return connection.execute(text("SELECT n FROM only_on_primary")).scalar()

    try:
        assert reads.check().serving == "replica"
        assert reads.run(read) == 7
        assert (reads.state().serving, reads.state().reason) == ("primary", "unreachable")
    finally:
        reads.close()


async def test_async_reads_take_the_same_route(
    settings: Settings, primary: tuple[Engine, AsyncEngine], postgres_database: str
) -> None:
    reads = router(settings, primary, postgres_database)

    async def read(engine: AsyncEngine) -> AsyncEngine:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return engine

    try:
        assert reads.check().serving == "replica"
        assert await reads.run_async(read) is reads.replica_async
    finally:
        await reads.aclose()
        await primary[1].dispose()
        reads.close()


def test_without_a_replica_the_primary_serves_and_nothing_is_looked_up(
    settings: Settings, primary: tuple[Engine, AsyncEngine]
) -> None:
    reads = read_replica(settings, *primary)
    assert not reads.configured
    assert reads.state().serving == "primary" and reads.state().reason is None
    assert reads.run(lambda engine: engine) is primary[0]


def test_the_feed_read_on_another_server_is_the_same_page(settings: Settings) -> None:
    migrate(settings)
    app = Redress(env=settings.eventsourcing_env(), rates=ExchangeRates({}))
    engine = sync_engine(settings)
    other = postgres_engine(settings, settings.database_url, pooled=True)
    try:
        seed(app, datetime.now(UTC), cases=6, rng=random.Random(3))
        feed = Feed(app, engine)
        for after, limit in ((0, 500), (0, 7), (5, 3)):
            here = feed.page("staff", "agent", [], after, limit)
            there = feed.page("staff", "agent", [], after, limit, other)
            assert there == here and here["items"]
        head = app.recorder.max_notification_id()
        assert feed.page("staff", "agent", [], head, 10, other) == {
            "items": [],
            "next_cursor": str(head),
            "has_more": False,
        }
    finally:
        other.dispose()
        engine.dispose()
        app.close()


def test_behind_a_transaction_pooler_the_event_store_prepares_nothing(
    postgres_database: str, postgres_url: str
) -> None:
    # The session URL set apart (here: the same server by another database name's server URL)
    # marks REDRESS_DATABASE_URL as a transaction pooler.
    migrate(Settings(database_url=postgres_database))  # its own database, not the server's
    settings = Settings(database_url=postgres_database, session_database_url=postgres_url)
    assert settings.transaction_pooled
    env = settings.eventsourcing_env()
    assert env["PERSISTENCE_MODULE"] == "services.eventstore.recorders:PostgresFactory"
    app = Redress(env=env, rates=ExchangeRates({}))
    try:
        assert app.recorder.datastore.pool.kwargs["prepare_threshold"] is None  # type: ignore[attr-defined]
        seed(app, datetime.now(UTC), cases=2, rng=random.Random(5))
        with app.recorder.datastore.get_connection() as connection:  # type: ignore[attr-defined]
            assert connection.prepare_threshold is None
            prepared = connection.execute("SELECT count(*) FROM pg_prepared_statements")
            assert prepared.fetchone()["count"] == 0
    finally:
        app.close()
