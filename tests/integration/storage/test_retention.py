"""Bounded tables, on both backends: a 120-day soak (the clock moves a day at a time) writes
delivered deliveries, their attempts and idempotency records every day, and the pruner runs
once a day in small batches. The tables level off at their retention's worth of rows, while
deliveries still owed (pending) or awaiting recovery (failed) are never pruned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from services.db import async_engine, migrate
from services.notifier.settings import NotifierSettings
from services.notifier.tables import DELIVERED, FAILED, webhook_attempts, webhook_deliveries
from services.retention import Pruner
from services.tables import idempotency_keys

START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 120
PER_DAY = 40  # deliveries (two attempts each) and idempotency records, each day
_ids = count(1)


async def _a_day_of_traffic(connection: Any, day: datetime) -> None:
    for n in range(PER_DAY):
        status = FAILED if n == 0 else DELIVERED  # one a day fails for good
        delivery = (
            await connection.execute(
                insert(webhook_deliveries).values(
                    endpoint_id="wh_soak",
                    event_id=f"e{next(_ids)}",
                    event_type="case.submitted",
                    subject="case",
                    payload="{}",
                    status=status,
                    next_attempt_at=day,
                    created_at=day,
                    delivered_at=day + timedelta(minutes=1) if status == DELIVERED else None,
                )
            )
        ).inserted_primary_key[0]
        for minute in (0, 1):
            await connection.execute(
                insert(webhook_attempts).values(
                    delivery_id=delivery,
                    at=day + timedelta(minutes=minute),
                    status_code=500 if minute == 0 else 204,
                    latency_ms=20,
                )
            )
        await connection.execute(
            insert(idempotency_keys).values(
                scope="k",
                key=f"key-{next(_ids)}",
                request_hash="h",
                state="done",
                created_at=day,
                expires_at=day + timedelta(hours=24),
            )
        )


async def _sizes(connection: Any) -> dict[str, int]:
    tables = (webhook_deliveries, webhook_attempts, idempotency_keys)
    return {
        t.name: int((await connection.execute(select(func.count()).select_from(t))).scalar())
        for t in tables
    }


@pytest.mark.slow  # 120 simulated days
@pytest.mark.parametrize("batch", [7])
async def test_tables_stay_bounded_under_a_soak(database_url: str, batch: int) -> None:
    settings = NotifierSettings(database_url=database_url, prune_batch=batch)
    migrate(settings)
    engine = async_engine(settings)
    pruner = Pruner(engine, settings.retention)
    largest: dict[str, int] = {}
    try:
        for n in range(DAYS):
            day = START + timedelta(days=n)
            async with engine.begin() as connection:
                await _a_day_of_traffic(connection, day)
            pruned = await pruner.prune(day + timedelta(hours=12))
            async with engine.connect() as connection:
                sizes = await _sizes(connection)
            largest = {t: max(largest.get(t, 0), rows) for t, rows in sizes.items()}
            if n == DAYS - 1:
                last = pruned
        failed = await _count_failed(engine)
    finally:
        await engine.dispose()

    # 30 days of delivered rows (+ the day being written), every failed one (owed a recover).
    assert sizes["webhook_deliveries"] <= 31 * (PER_DAY - 1) + DAYS
    assert failed == DAYS
    assert largest["webhook_attempts"] <= 31 * 2 * PER_DAY
    assert largest["idempotency_keys"] <= 3 * PER_DAY
    assert last["webhook_attempts"] > batch  # more than one batch a day, each its own commit
    # The README's Reliability section quotes these: 1,290 deliveries (120 failed), 2,400
    # attempts and 80 idempotency records, after 4,800 / 9,600 / 4,800 were written.
    assert sizes == {
        "webhook_deliveries": 30 * (PER_DAY - 1) + DAYS,
        "webhook_attempts": 30 * 2 * PER_DAY,
        "idempotency_keys": 2 * PER_DAY,
    }


async def _count_failed(engine: Any) -> int:
    async with engine.connect() as connection:
        query = select(func.count()).where(webhook_deliveries.c.status == FAILED)
        return int((await connection.execute(query)).scalar())


async def test_nothing_younger_than_its_retention_is_pruned(database_url: str) -> None:
    settings = NotifierSettings(database_url=database_url)
    migrate(settings)
    engine = async_engine(settings)
    try:
        async with engine.begin() as connection:
            await _a_day_of_traffic(connection, START)
        pruner = Pruner(engine, settings.retention)
        assert set((await pruner.prune(START + timedelta(hours=47))).values()) == {0}
        pruned = await pruner.prune(START + timedelta(hours=49))
        assert pruned == {"webhook_deliveries": 0, "webhook_attempts": 0, "idempotency_keys": 40}
        pruned = await pruner.prune(START + timedelta(days=30, hours=1))
        assert pruned["webhook_deliveries"] == PER_DAY - 1
        assert pruned["webhook_attempts"] == 2 * PER_DAY
    finally:
        await engine.dispose()
