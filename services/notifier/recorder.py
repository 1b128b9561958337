"""Recording attempts with group commit: one transaction writes every outcome that finished
while the previous transaction was committing.

Each attempt is logged (status, latency, first 1 KiB of the answer); each delivery is settled
(delivered, retried at the schedule's next instant, or failed when the schedule is spent) only
if this worker still holds it; each endpoint's run of failures is tracked (`failing_since`, reset
by a success), and an endpoint is disabled on `410 Gone` or after 5 days of failing.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.notifier import metrics
from services.notifier.retry import RetrySchedule
from services.notifier.sender import Outcome
from services.notifier.tables import (
    ACTIVE,
    DELIVERED,
    DISABLED,
    FAILED,
    PENDING,
    utc,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

log = logging.getLogger(__name__)
DISABLE_AFTER = timedelta(days=5)
D, E = webhook_deliveries, webhook_endpoints

_SETTLE = (
    update(D)
    .where(D.c.id == bindparam("d_id"), D.c.claimed_by == bindparam("d_worker"))
    .values(
        status=bindparam("d_status"),
        delivered_at=bindparam("d_delivered_at"),
        next_attempt_at=bindparam("d_next"),
        retry_step=bindparam("d_step"),
        attempts=D.c.attempts + 1,
        claimed_by=None,
        claimed_until=None,
        last_status_code=bindparam("d_code"),
        last_error=bindparam("d_error"),
    )
)


@dataclass
class Result:
    """One attempt's outcome, waiting to be written."""

    delivery_id: int
    endpoint_id: str
    retry_step: int  # failed attempts in this series before this one
    outcome: Outcome
    at: datetime
    written: bool = False
    error: BaseException | None = field(default=None, repr=False)


class Recorder:
    def __init__(
        self,
        engine: AsyncEngine,
        worker: str,
        schedule: RetrySchedule,
        disable_after: timedelta = DISABLE_AFTER,
    ) -> None:
        self.engine, self.worker, self.schedule = engine, worker, schedule
        self.disable_after = disable_after
        self._queue: list[Result] = []
        self._writing = asyncio.Lock()

    async def record(self, result: Result) -> None:
        """Write `result` (with whatever else is waiting); returns once it is committed."""
        self._queue.append(result)
        async with self._writing:
            if not result.written:
                batch, self._queue = self._queue, []
                try:
                    await self._write(batch)
                except BaseException as failed:
                    for each in batch:
                        each.error = failed
                    raise
                finally:
                    for each in batch:
                        each.written = True
        if result.error is not None:
            raise result.error

    async def _write(self, batch: list[Result]) -> None:
        settled = [self._settled(r) for r in batch]
        async with self.engine.begin() as connection:
            await connection.execute(insert(webhook_attempts), [self._attempt(r) for r in batch])
            await connection.execute(_SETTLE, settled)
            await self._track_endpoints(connection, batch)
        for result, values in zip(batch, settled, strict=True):
            status = values["d_status"]
            metrics.attempts.labels("retrying" if status == PENDING else status).inc()
            metrics.latency.observe(result.outcome.latency_ms / 1000)

    @staticmethod
    def _attempt(result: Result) -> dict[str, Any]:
        outcome = result.outcome
        return {
            "delivery_id": result.delivery_id,
            "at": result.at,
            "status_code": outcome.status_code,
            "latency_ms": outcome.latency_ms,
            "error": outcome.error,
            "response": outcome.response,
            "response_headers": outcome.headers,
        }

    def _settled(self, result: Result) -> dict[str, Any]:
        outcome, at = result.outcome, result.at
        status, retry_at = DELIVERED, at
        delivered_at: datetime | None = at
        if not outcome.ok:
            delivered_at = None
            next_at = self.schedule.next_attempt(result.retry_step + 1, at, outcome.retry_after)
            status, retry_at = (FAILED, at) if next_at is None else (PENDING, next_at)
        return {
            "d_id": result.delivery_id,
            "d_worker": self.worker,
            "d_status": status,
            "d_delivered_at": delivered_at,
            "d_next": retry_at,
            "d_step": result.retry_step + 1,
            "d_code": outcome.status_code,
            "d_error": outcome.error,
        }

    async def _track_endpoints(self, connection: AsyncConnection, batch: list[Result]) -> None:
        """Per endpoint, the latest attempt decides: a success ends its run of failures."""
        for result in sorted(batch, key=lambda r: r.endpoint_id):
            if result.outcome.status_code == 410:
                await self._disable(connection, result.endpoint_id, "gone", result.at)
        latest = {r.endpoint_id: r for r in sorted(batch, key=lambda r: r.at)}
        # Endpoint rows change only when an endpoint starts or stops failing, and each step
        # takes them in id order, so notifiers rarely contend; should two deadlock, PostgreSQL
        # rolls one batch back and its deliveries are attempted again once their lease ends.
        healthy = sorted(e for e, r in latest.items() if r.outcome.ok)
        failing = {e: r for e, r in sorted(latest.items()) if not r.outcome.ok}
        if healthy:
            await connection.execute(
                update(E)
                .where(E.c.id.in_(healthy), E.c.failing_since.isnot(None))
                .values(failing_since=None)
            )
        if not failing:
            return
        for endpoint_id, result in failing.items():
            await connection.execute(
                update(E)
                .where(E.c.id == endpoint_id, E.c.failing_since.is_(None))
                .values(failing_since=result.at)
            )
        since = await connection.execute(
            select(E.c.id, E.c.failing_since).where(E.c.id.in_(list(failing)))
        )
        for endpoint_id, failing_since in since:
            begun, at = utc(failing_since), failing[endpoint_id].at
            if begun is not None and at - begun >= self.disable_after:
                await self._disable(connection, endpoint_id, "failing", at)

    @staticmethod
    async def _disable(
        connection: AsyncConnection, endpoint_id: str, reason: str, at: datetime
    ) -> None:
        disabled = await connection.execute(
            update(E)
            .where(E.c.id == endpoint_id, E.c.status == ACTIVE)
            .values(status=DISABLED, disabled_reason=reason, disabled_at=at, notice_pending=True)
        )
        if disabled.rowcount:
            metrics.disabled.labels(reason).inc()
            log.warning("webhook endpoint %s disabled (%s)", endpoint_id, reason)
