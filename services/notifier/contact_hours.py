"""Human hours for people, exact time for machines: a mail to a person waits for the
recipient's next contact hour (local time, on the case calendar's work days), unless its event
is urgent (the policy's `urgent_mail`: a payout ordered, a case escalated). The event itself,
and its webhooks, keep their exact instant; only the mail is held (its `next_attempt_at`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, select

from domain.deadlines import triggers
from services.application import Redress
from services.notifier.tables import PENDING, notifier_emails
from services.scheduler.index import utc


def tokens(event: Any) -> frozenset[str]:
    """The tokens a policy's `urgent_mail` may name for this event (`Refunded:platform`)."""
    qualifier = getattr(event, "payer", None) or getattr(event, "in_favour_of", None)
    return triggers(type(event).__name__, qualifier)


class ContactHours:
    def __init__(self, app: Redress) -> None:
        self.app = app

    def send_at(self, event: Any, role: str, now: datetime) -> datetime:
        calendar, (opens, closes), urgent = self.app.contact_window(event.originator_id, role)
        if tokens(event) & urgent:
            return now
        return calendar.next_contact_time(now, opens, closes)


def held(connection: Connection, now: datetime) -> dict[str, Any]:
    """The dashboard's figures: mails for people waiting for their contact hours, and when
    the next of them goes out."""
    m = notifier_emails
    waiting = (m.c.status == PENDING) & (m.c.attempts == 0) & (m.c.next_attempt_at > now)
    count, first = connection.execute(
        select(func.count(), func.min(m.c.next_attempt_at)).where(waiting)
    ).one()
    return {"count": int(count), "next_at": utc(first) if first is not None else None}
