"""Webhook subscriptions and their delivery log: what the API reads and changes."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.notifier.signing import SecretBox, new_secret
from services.notifier.tables import (
    ACTIVE,
    DELETED,
    FAILED,
    PENDING,
    utc,
    webhook_attempts,
    webhook_deliveries,
    webhook_endpoints,
)

ROTATION_OVERLAP = timedelta(hours=24)
E, D = webhook_endpoints, webhook_deliveries


def public(row: Any, now: datetime) -> dict[str, Any]:
    until = utc(row.previous_secret_until)
    return {
        "id": row.id,
        "url": row.url,
        "event_types": list(row.event_types),
        "store_ids": None if row.store_ids is None else list(row.store_ids),
        "status": row.status,
        "disabled_reason": row.disabled_reason,
        "disabled_at": utc(row.disabled_at),
        "failing_since": utc(row.failing_since),
        "previous_secret_valid_until": until if until is not None and until > now else None,
        "created_at": utc(row.created_at),
    }


class Subscriptions:
    def __init__(self, engine: AsyncEngine, box: SecretBox) -> None:
        self.engine, self.box = engine, box

    async def create(
        self,
        owner: tuple[str, str],
        url: str,
        event_types: list[str],
        store_ids: list[str] | None,
        now: datetime,
    ) -> tuple[dict[str, Any], str]:
        """A new active endpoint and its secret (returned here only)."""
        now = now.astimezone(UTC)
        endpoint_id, secret = f"wh_{secrets.token_hex(12)}", new_secret()
        async with self.engine.begin() as connection:
            await connection.execute(
                insert(E).values(
                    id=endpoint_id,
                    url=url,
                    event_types=event_types,
                    store_ids=store_ids,
                    owner_role=owner[0],
                    owner_subject=owner[1],
                    secret=self.box.seal(secret),
                    status=ACTIVE,
                    created_at=now,
                )
            )
        found = await self.get(endpoint_id)
        assert found is not None
        return public(found, now), secret

    async def get(self, endpoint_id: str) -> Any:
        async with self.engine.connect() as connection:
            query = select(E).where(E.c.id == endpoint_id, E.c.status != DELETED)
            return (await connection.execute(query)).first()

    async def all(self) -> list[Any]:
        async with self.engine.connect() as connection:
            rows = await connection.execute(
                select(E).where(E.c.status != DELETED).order_by(E.c.created_at, E.c.id)
            )
            return list(rows)

    async def delete(self, endpoint_id: str) -> None:
        """Stop deliveries for good; the endpoint's log is kept."""
        async with self.engine.begin() as connection:
            await connection.execute(update(E).where(E.c.id == endpoint_id).values(status=DELETED))

    async def rotate(self, endpoint_id: str, now: datetime) -> tuple[str, datetime]:
        """A new secret; the current one keeps signing (second signature) for 24 hours."""
        secret, until = new_secret(), now.astimezone(UTC) + ROTATION_OVERLAP
        async with self.engine.begin() as connection:
            await connection.execute(
                update(E)
                .where(E.c.id == endpoint_id)
                .values(
                    previous_secret=E.c.secret,
                    previous_secret_until=until,
                    secret=self.box.seal(secret),
                )
            )
        return secret, until

    async def deliveries(
        self,
        endpoint_id: str,
        status: str | None,
        limit: int,
        before: int | None,
        engine: AsyncEngine | None = None,
        *,
        revealing: bool = True,
    ) -> dict[str, Any]:
        """The endpoint's deliveries, newest first, each with every attempt (read through
        `engine`, e.g. a read replica's, else this store's own; with what the receiver
        answered only when `revealing`)."""
        query = select(D).where(D.c.endpoint_id == endpoint_id)
        if status:
            query = query.where(D.c.status == status)
        if before is not None:
            query = query.where(D.c.id < before)
        async with (engine or self.engine).connect() as connection:
            rows = list(await connection.execute(query.order_by(D.c.id.desc()).limit(limit + 1)))
            page = rows[:limit]
            attempts = await _attempts(connection, [row.id for row in page], revealing)
        return {
            "items": [delivery_view(row, attempts[row.id]) for row in page],
            "next_cursor": str(page[-1].id) if len(rows) > limit else None,
        }

    async def delivery(
        self, endpoint_id: str, delivery_id: int, *, revealing: bool = True
    ) -> dict[str, Any] | None:
        async with self.engine.connect() as connection:
            query = select(D).where(D.c.id == delivery_id, D.c.endpoint_id == endpoint_id)
            row = (await connection.execute(query)).first()
            if row is None:
                return None
            found = await _attempts(connection, [row.id], revealing)
            return delivery_view(row, found[row.id])

    async def retry(self, endpoint_id: str, delivery_id: int, now: datetime) -> bool:
        """Send one delivery again, at once and with a fresh schedule (whatever its status)."""
        async with self.engine.begin() as connection:
            done = await connection.execute(
                update(D)
                .where(D.c.id == delivery_id, D.c.endpoint_id == endpoint_id)
                .values(_requeued(now))
            )
            return bool(done.rowcount)

    async def recover(self, endpoint_id: str, since: datetime, now: datetime) -> int:
        """Enable the endpoint again and requeue every delivery that failed since `since`."""
        since = since.astimezone(UTC)  # SQLite compares instants as UTC text
        async with self.engine.begin() as connection:
            await connection.execute(
                update(E)
                .where(E.c.id == endpoint_id)
                .values(status=ACTIVE, disabled_reason=None, disabled_at=None, failing_since=None)
            )
            done = await connection.execute(
                update(D)
                .where(
                    and_(
                        D.c.endpoint_id == endpoint_id,
                        D.c.status == FAILED,
                        D.c.created_at >= since,
                    )
                )
                .values(_requeued(now))
            )
            return int(done.rowcount)

    async def pending_count(self, endpoint_id: str) -> int:
        async with self.engine.connect() as connection:
            found = await connection.execute(
                select(func.count())
                .select_from(D)
                .where(D.c.endpoint_id == endpoint_id, D.c.status == PENDING)
            )
            return int(found.scalar_one())


async def _attempts(
    connection: AsyncConnection, ids: list[int], revealing: bool
) -> dict[int, list[Any]]:
    """Every attempt of each delivery, oldest first; the receiver's answer (headers, body
    excerpt) only when `revealing`."""
    found: dict[int, list[Any]] = {delivery_id: [] for delivery_id in ids}
    if not ids:
        return found
    rows = await connection.execute(
        select(webhook_attempts)
        .where(webhook_attempts.c.delivery_id.in_(ids))
        .order_by(webhook_attempts.c.id)
    )
    for a in rows:
        found[a.delivery_id].append(
            {
                "at": utc(a.at),
                "status_code": a.status_code,
                "latency_ms": a.latency_ms,
                "error": a.error,
                "response": a.response if revealing else None,
                "response_headers": (a.response_headers or {}) if revealing else None,
            }
        )
    return found


def _requeued(now: datetime) -> dict[str, Any]:
    now = now.astimezone(UTC)
    return {
        "status": PENDING,
        "retry_step": 0,
        "next_attempt_at": now,
        "claimed_by": None,
        "claimed_until": None,
    }


def delivery_view(row: Any, attempts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "event_id": row.event_id,
        "event_type": row.event_type,
        "subject": row.subject,
        "status": row.status,
        "created_at": utc(row.created_at),
        "next_attempt_at": utc(row.next_attempt_at) if row.status == PENDING else None,
        "delivered_at": utc(row.delivered_at),
        "attempts": attempts,
    }
