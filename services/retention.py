"""Bounded tables: what has served its purpose is deleted after its retention.

- delivered webhook deliveries, `webhook_delivery_retention_days` after delivery (pending and
  failed ones stay: they are still owed, or waiting for a recover);
- webhook attempt logs, `webhook_attempt_retention_days` after the attempt;
- idempotency records, `idempotency_retention_hours` after they were made (they stop
  replaying after 24 hours; the rest is slack for clients retrying late).

Rows go in batches of `prune_batch`, each its own short transaction, oldest first, so pruning
never holds a long lock on a table the API or the notifier is writing. Every condition is
served by an index (migrations 0004 and 0005_retention).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Table, delete, select, tuple_
from sqlalchemy.ext.asyncio import AsyncEngine

from services.idempotent_outcomes import KEEP_FOR
from services.notifier.tables import DELIVERED, webhook_attempts, webhook_deliveries
from services.tables import idempotency_keys


@dataclass(frozen=True)
class Retention:
    deliveries: timedelta = timedelta(days=30)
    attempts: timedelta = timedelta(days=30)
    idempotency: timedelta = timedelta(hours=48)
    batch: int = 1000


@dataclass(frozen=True)
class _Rule:
    table: Table
    key: tuple[str, ...]  # the primary key's columns
    order: str  # the column the condition is on: oldest go first
    expired: Callable[[datetime], ColumnElement[bool]]


class Pruner:
    def __init__(self, engine: AsyncEngine, retention: Retention) -> None:
        self.engine, self.retention = engine, retention
        d, a, i = webhook_deliveries.c, webhook_attempts.c, idempotency_keys.c
        self.rules = (
            _Rule(
                webhook_deliveries,
                ("id",),
                "delivered_at",
                lambda now: (d.status == DELIVERED) & (d.delivered_at < now - retention.deliveries),
            ),
            _Rule(webhook_attempts, ("id",), "at", lambda now: a.at < now - retention.attempts),
            _Rule(
                idempotency_keys,
                ("scope", "key"),
                "expires_at",
                # made before now - retention: expiring before now - retention + KEEP_FOR
                lambda now: i.expires_at < now - retention.idempotency + KEEP_FOR,
            ),
        )

    async def prune(self, now: datetime) -> dict[str, int]:
        """Delete every row past its retention at `now`; the rows deleted, per table."""
        return {rule.table.name: await self._prune(rule, now) for rule in self.rules}

    async def _prune(self, rule: _Rule, now: datetime) -> int:
        deleted = 0
        while True:
            async with self.engine.begin() as connection:
                gone = (await connection.execute(self._batch(rule, now))).rowcount or 0
            deleted += gone
            if gone < self.retention.batch:
                return deleted

    def _batch(self, rule: _Rule, now: datetime) -> Any:
        key = [rule.table.c[name] for name in rule.key]
        oldest = (
            select(*key)
            .where(rule.expired(now))
            .order_by(rule.table.c[rule.order])
            .limit(self.retention.batch)
        )
        if len(key) == 1:
            return delete(rule.table).where(key[0].in_(oldest.scalar_subquery()))
        return delete(rule.table).where(tuple_(*key).in_(oldest))
