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
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import and_, exists, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.notifier.retry import RetrySchedule, parse_retry_after
from services.notifier.signing import SecretBox, signature_headers
from services.notifier.ssrf import Guard, Refused, Target
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
RESPONSE_KEPT = 1024
DISABLE_AFTER = timedelta(days=5)
CONTENT_TYPE = "application/cloudevents+json; charset=utf-8"
USER_AGENT = "Redress-Webhooks/0.1"
Clock = Callable[[], datetime]


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


@dataclass(frozen=True)
class Outcome:
    status_code: int | None
    latency_ms: int
    error: str | None = None
    response: str | None = None
    retry_after: timedelta | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


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


class Sender:
    """POSTs one delivery to a vetted address: 15 s in all, no redirects, no proxies."""

    def __init__(self, guard: Guard, timeout: float) -> None:
        self.guard, self.timeout = guard, timeout
        self.client = httpx.AsyncClient(
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=256, max_keepalive_connections=64),
        )

    async def aclose(self) -> None:
        await self.client.aclose()

    async def send(self, url: str, body: bytes, headers: dict[str, str], now: datetime) -> Outcome:
        started = time.perf_counter()
        try:
            target = await self.guard.resolve(url)
            async with asyncio.timeout(self.timeout):
                return await self._post(target, body, headers, now, started)
        except Refused as refused:
            return Outcome(None, _ms(started), f"refused: {refused.reason}"[:500])
        except (TimeoutError, httpx.TimeoutException):
            return Outcome(None, _ms(started), f"timed out after {self.timeout:g} s")
        except httpx.HTTPError as failed:
            return Outcome(None, _ms(started), f"{type(failed).__name__}: {failed}"[:500])

    async def _post(
        self, target: Target, body: bytes, headers: dict[str, str], now: datetime, started: float
    ) -> Outcome:
        url = httpx.URL(target.url)
        default_port = 443 if target.scheme == "https" else 80
        host = target.host if ":" not in target.host else f"[{target.host}]"
        host_header = host if target.port == default_port else f"{host}:{target.port}"
        request = self.client.build_request(
            "POST",
            url.copy_with(host=target.address),
            content=body,
            headers={
                **headers,
                "Host": host_header,
                "Content-Type": CONTENT_TYPE,
                "User-Agent": USER_AGENT,
            },
            extensions={"sni_hostname": target.host} if target.scheme == "https" else {},
        )
        response = await self.client.send(request, stream=True)
        try:
            head = b""
            async for chunk in response.aiter_bytes():
                head += chunk
                if len(head) >= RESPONSE_KEPT:
                    break
        finally:
            await response.aclose()
        code = response.status_code
        return Outcome(
            code,
            _ms(started),
            None if 200 <= code < 300 else f"HTTP {code}",
            head[:RESPONSE_KEPT].decode("utf-8", "replace"),
            parse_retry_after(response.headers.get("retry-after"), now),
        )


def _ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


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
        self.schedule = schedule or RetrySchedule()
        self.disable_after = disable_after
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
            statement = claim_statement(
                connection.dialect.name, self.worker, now, now + self.lease, self.batch
            )
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
        try:
            await self.record(claimed, outcome, self.clock())
        except Exception:
            log.exception("could not record the attempt of delivery %s", claimed.id)
            raise

    async def record(self, claimed: Claimed, outcome: Outcome, now: datetime) -> None:
        """Log the attempt and settle the delivery and its endpoint, in one transaction."""
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(webhook_attempts).values(
                    delivery_id=claimed.id,
                    at=now,
                    status_code=outcome.status_code,
                    latency_ms=outcome.latency_ms,
                    error=outcome.error,
                    response=outcome.response,
                )
            )
            ours = and_(
                webhook_deliveries.c.id == claimed.id,
                webhook_deliveries.c.claimed_by == self.worker,
            )
            settled = {
                "attempts": webhook_deliveries.c.attempts + 1,
                "retry_step": claimed.retry_step + 1,
                "claimed_by": None,
                "claimed_until": None,
                "last_status_code": outcome.status_code,
                "last_error": outcome.error,
            }
            if outcome.ok:
                settled.update(status=DELIVERED, delivered_at=now)
                await connection.execute(update(webhook_deliveries).where(ours).values(settled))
                await self._succeeded(connection, claimed.endpoint_id)
                return
            retry_at = self.schedule.next_attempt(claimed.retry_step + 1, now, outcome.retry_after)
            if retry_at is None:
                settled["status"] = FAILED
            else:
                settled["next_attempt_at"] = retry_at
            await connection.execute(update(webhook_deliveries).where(ours).values(settled))
            await self._failed(connection, claimed.endpoint_id, outcome, now)

    @staticmethod
    async def _succeeded(connection: AsyncConnection, endpoint_id: str) -> None:
        await connection.execute(
            update(webhook_endpoints)
            .where(
                webhook_endpoints.c.id == endpoint_id, webhook_endpoints.c.failing_since.isnot(None)
            )
            .values(failing_since=None)
        )

    async def _failed(
        self, connection: AsyncConnection, endpoint_id: str, outcome: Outcome, now: datetime
    ) -> None:
        """Note when the endpoint began failing; disable it on 410 or after 5 days of it."""
        endpoint = webhook_endpoints.c
        await connection.execute(
            update(webhook_endpoints)
            .where(endpoint.id == endpoint_id, endpoint.failing_since.is_(None))
            .values(failing_since=now)
        )
        since = utc(
            (
                await connection.execute(
                    select(endpoint.failing_since).where(endpoint.id == endpoint_id)
                )
            ).scalar()
        )
        if outcome.status_code == 410:
            reason = "gone"
        elif since is not None and now - since >= self.disable_after:
            reason = "failing"
        else:
            return
        disabled = await connection.execute(
            update(webhook_endpoints)
            .where(endpoint.id == endpoint_id, endpoint.status == ACTIVE)
            .values(status=DISABLED, disabled_reason=reason, disabled_at=now, notice_pending=True)
        )
        if disabled.rowcount:
            log.warning("webhook endpoint %s disabled (%s)", endpoint_id, reason)
