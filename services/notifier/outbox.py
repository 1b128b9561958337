"""The email outbox worker: claim due mails (like deliveries, minus the ordering), send them
over SMTP in a thread, retry failures on the webhooks' schedule."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from services.notifier import mail_language, metrics
from services.notifier.email import SmtpServer
from services.notifier.retry import RetrySchedule
from services.notifier.tables import DELIVERED, FAILED, PENDING, notifier_emails, utc

log = logging.getLogger(__name__)
Clock = Callable[[], datetime]


def claim_mail_statement(
    dialect: str, worker: str, now: datetime, lease_until: datetime, batch: int
) -> Any:
    m = notifier_emails
    due = (
        select(m.c.id)
        .where(
            m.c.status == PENDING,
            m.c.next_attempt_at <= now,
            or_(m.c.claimed_until.is_(None), m.c.claimed_until < now),
        )
        .order_by(m.c.next_attempt_at, m.c.id)
        .limit(batch)
    )
    if dialect == "postgresql":
        due = due.with_for_update(skip_locked=True)  # as for deliveries: see delivery.py
    return (
        update(m)
        .where(m.c.id.in_(due.scalar_subquery()))
        .values(claimed_by=worker, claimed_until=lease_until)
        .returning(
            m.c.id,
            m.c.recipient,
            m.c.subject,
            m.c.body,
            m.c.attempts,
            m.c.translation,
            m.c.wait_until,
        )
    )


class Outbox:
    def __init__(
        self,
        engine: AsyncEngine,
        server: SmtpServer,
        sender: str,
        clock: Clock,
        worker: str,
        *,
        schedule: RetrySchedule | None = None,
        lease: timedelta = timedelta(seconds=120),
        batch: int = 20,
        translations: mail_language.Lookup | None = None,
    ) -> None:
        self.engine, self.server, self.sender, self.clock = engine, server, sender, clock
        self.worker, self.lease, self.batch = worker, lease, batch
        self.schedule = schedule or RetrySchedule()
        self.translations = translations

    async def run_batch(self) -> int:
        """Send one batch of due mails; returns how many were attempted."""
        now = self.clock()
        async with self.engine.begin() as connection:
            statement = claim_mail_statement(
                connection.dialect.name, self.worker, now, now + self.lease, self.batch
            )
            rows = (await connection.execute(statement)).all()
        for row in rows:
            body = await self._in_reader_language(row, now)
            if body is None:
                await self._wait_for_translation(row.id, utc(row.wait_until), now)
                continue
            error = await self._send(row.recipient, row.subject, body)
            metrics.mails.labels("sent" if error is None else "failed").inc()
            await self._record(row.id, row.attempts, error, self.clock())
        return len(rows)

    async def _in_reader_language(self, row: Any, now: datetime) -> str | None:
        """The body to send (translated where the mail waits for it), or None to wait."""
        if not row.translation or self.translations is None or row.wait_until is None:
            return str(row.body)
        return await asyncio.to_thread(
            mail_language.settle,
            row.body,
            row.translation,
            utc(row.wait_until) or now,
            now,
            self.translations,
        )

    async def _wait_for_translation(
        self, mail_id: int, wait_until: datetime | None, now: datetime
    ) -> None:
        """Look again shortly (never later than the wait allows); no attempt is counted."""
        again = now + mail_language.RECHECK
        async with self.engine.begin() as connection:
            await connection.execute(
                update(notifier_emails)
                .where(notifier_emails.c.id == mail_id, notifier_emails.c.claimed_by == self.worker)
                .values(
                    claimed_by=None,
                    claimed_until=None,
                    next_attempt_at=min(again, wait_until) if wait_until else again,
                )
            )

    async def _send(self, recipient: str, subject: str, body: str) -> str | None:
        try:
            await asyncio.to_thread(self.server.send, self.sender, recipient, subject, body)
        except (smtplib.SMTPException, OSError) as failed:
            log.warning("mail to %s failed: %s", recipient, failed)
            return f"{type(failed).__name__}: {failed}"[:500]
        return None

    async def _record(self, mail_id: int, attempts: int, error: str | None, now: datetime) -> None:
        values: dict[str, Any] = {
            "attempts": attempts + 1,
            "claimed_by": None,
            "claimed_until": None,
            "last_error": error,
        }
        if error is None:
            values.update(status=DELIVERED, sent_at=now)
        elif (retry_at := self.schedule.next_attempt(attempts + 1, now)) is None:
            values["status"] = FAILED
        else:
            values["next_attempt_at"] = retry_at
        async with self.engine.begin() as connection:
            await connection.execute(
                update(notifier_emails)
                .where(notifier_emails.c.id == mail_id, notifier_emails.c.claimed_by == self.worker)
                .values(values)
            )
