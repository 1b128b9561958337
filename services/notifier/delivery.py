"""Delivery workers: claim due deliveries, POST them signed, log every attempt, retry later.

Claiming (any number of notifiers side by side): one statement marks a batch of due rows as
ours for a lease (`claimed_by`, `claimed_until`). On PostgreSQL the rows are picked with
`FOR UPDATE OF webhook_deliveries SKIP LOCKED`, so concurrent claimers never wait for, nor
take, each other's rows; on SQLite the single statement is atomic (one writer at a time) and
one notifier runs. A notifier that dies mid-delivery leaves its rows claimed until the lease
ends; then any notifier claims them again (at-least-once).

Order per case per endpoint: a row is due only if no earlier row (lower id: log order) of the
same endpoint and subject is still pending, so a failing delivery holds back the later ones of
its case on its endpoint, and nothing else.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notifier.recorder import DISABLE_AFTER, Recorder, Result
from services.notifier.retry import RetrySchedule
from services.notifier.sender import Sender
from services.notifier.signing import SecretBox, signature_headers
from services.notifier.tables import (
    ACTIVE,
    PENDING,
    utc,
    webhook_deliveries,
    webhook_endpoints,
)

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]
_CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan"


@dataclass(frozen=True)
class Claimed:
    id: int
    endpoint_id: str
    event_id: str
    payload: str
    retry_step: int


@dataclass(frozen=True)
class Endpoint:
    id: str
    url: str
    secrets: tuple[str, ...]  # the current one first, then a rotated-out one still valid


def claim_statement(
    dialect: str, worker: str, now: datetime, lease_until: datetime, batch: int
) -> Any:
    """UPDATE webhook_deliveries SET claimed_by = :worker, claimed_until = :lease_until
    WHERE id IN (
        SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
        WHERE e.status = 'active' AND d.status = 'pending' AND d.next_attempt_at <= :now
          AND (d.claimed_until IS NULL OR d.claimed_until < :now)
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries earlier
                          WHERE earlier.endpoint_id = d.endpoint_id
                            AND earlier.subject = d.subject
                            AND earlier.status = 'pending' AND earlier.id < d.id)
        ORDER BY d.next_attempt_at, d.id LIMIT :batch
        FOR UPDATE OF d SKIP LOCKED            -- PostgreSQL only
    ) RETURNING id, endpoint_id, event_id, payload, retry_step"""
    d, earlier, e = webhook_deliveries, webhook_deliveries.alias("earlier"), webhook_endpoints
    held_back = exists().where(
        earlier.c.endpoint_id == d.c.endpoint_id,
        earlier.c.subject == d.c.subject,
        earlier.c.status == PENDING,
        earlier.c.id < d.c.id,
    )
    due = (
        select(d.c.id)
        .join(e, e.c.id == d.c.endpoint_id)
        .where(
            e.c.status == ACTIVE,
            d.c.status == PENDING,
            d.c.next_attempt_at <= now,
            or_(d.c.claimed_until.is_(None), d.c.claimed_until < now),
            ~held_back,
        )
        .order_by(d.c.next_attempt_at, d.c.id)
        .limit(batch)
    )
    if dialect == "postgresql":
        due = due.with_for_update(of=d, skip_locked=True)
    return (
        update(d)
        .where(d.c.id.in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=lease_until)
        .returning(d.c.id, d.c.endpoint_id, d.c.event_id, d.c.payload, d.c.retry_step)
    )


class Deliverer:
    def __init__(
        self,
        engine: AsyncEngine,
        sender: Sender,
        box: SecretBox,
        clock: Clock,
        worker: str,
        *,
        schedule: RetrySchedule | None = None,
        lease: timedelta = timedelta(seconds=60),
        batch: int = 50,
        concurrency: int = 64,
        disable_after: timedelta = DISABLE_AFTER,
    ) -> None:
        self.engine, self.sender, self.box, self.clock = engine, sender, box, clock
        self.worker, self.lease, self.batch = worker, lease, batch
        self.recorder = Recorder(engine, worker, schedule or RetrySchedule(), disable_after)
        self.in_flight = asyncio.Semaphore(concurrency)

    async def run_batch(self) -> int:
        """Claim one batch of due deliveries and make one attempt of each; returns how many."""
        now = self.clock()
        claimed = await self.claim(now)
        if not claimed:
            return 0
        endpoints = await self._endpoints({c.endpoint_id for c in claimed}, now)
        await asyncio.gather(*(self._deliver(c, endpoints.get(c.endpoint_id)) for c in claimed))
        return len(claimed)

    async def claim(self, now: datetime) -> list[Claimed]:
        async with self.engine.begin() as connection:
            dialect = connection.dialect.name
            if dialect == "postgresql":
                # An idle notifier claims from an empty due set again and again, and after
                # five runs PostgreSQL keeps a prepared statement's generic plan, one made for
                # no rows, which stays when a burst arrives (in the webhooks bench a notifier
                # idle before 5,000 deliveries sent 72 a second instead of about 1,600, until
                # autovacuum analysed the table). So each claim is planned for what is due.
                await connection.exec_driver_sql(_CUSTOM_PLANS)
            statement = claim_statement(dialect, self.worker, now, now + self.lease, self.batch)
            rows = (await connection.execute(statement)).all()
        return sorted((Claimed(*row) for row in rows), key=lambda c: c.id)

    async def release(self) -> None:
        """Give back rows claimed but not attempted (on a clean stop)."""
        async with self.engine.begin() as connection:
            await connection.execute(
                update(webhook_deliveries)
                .where(webhook_deliveries.c.claimed_by == self.worker)
                .values(claimed_by=None, claimed_until=None)
            )

    async def _endpoints(self, ids: set[str], now: datetime) -> dict[str, Endpoint]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(webhook_endpoints).where(webhook_endpoints.c.id.in_(ids))
            )
            found = {}
            for row in rows:
                keys = [self.box.open(row.secret)]
                until = utc(row.previous_secret_until)
                if row.previous_secret and until is not None and until > now:
                    keys.append(self.box.open(row.previous_secret))
                found[row.id] = Endpoint(row.id, row.url, tuple(keys))
            return found

    async def _deliver(self, claimed: Claimed, endpoint: Endpoint | None) -> None:
        if endpoint is None:  # deleted meanwhile
            return
        async with self.in_flight:
            body = claimed.payload.encode()
            now = self.clock()
            headers = signature_headers(claimed.event_id, body, now, endpoint.secrets)
            outcome = await self.sender.send(endpoint.url, body, headers, now)
        result = Result(claimed.id, claimed.endpoint_id, claimed.retry_step, outcome, self.clock())
        try:
            await self.recorder.record(result)
        except Exception:
            log.exception("could not record the attempt of delivery %s", claimed.id)
            raise
