"""Email: consumers and stores are mailed on reminders (the store is reminded, the consumer
told so), warnings, escalations, proposals, rulings, refunds and every ending, from templates
(`email_templates`), over SMTP (`REDRESS_SMTP_URL`).

Mails are composed at fan-out into an outbox table (same transaction as the notifier's
position), then sent by `Mailer` with the webhooks' retry schedule. Addresses: an id that is an
email address is used as it is; otherwise `REDRESS_EMAIL_CONSUMER_ADDRESS` /
`REDRESS_EMAIL_STORE_ADDRESS` (`{id}` is replaced) make one; without either, no mail.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from jinja2 import DictLoader, Environment, StrictUndefined

from domain.case_events import CaseEvent, ending_resolution
from services.notifier import mail_language
from services.notifier.contact_hours import ContactHours
from services.notifier.email_templates import ENDINGS, MAILED, TEMPLATES
from services.notifier.envelope import Scope, event_id
from services.notifier.tables import PENDING


class EmailComposer:
    def __init__(
        self,
        consumer_address: str | None,
        store_address: str | None,
        languages: mail_language.Languages | None = None,
        translation_wait: float = 0.0,
        hours: ContactHours | None = None,
    ) -> None:
        """`languages`: the parties' languages, when texts are translated (mails holding a
        text in another language then wait up to `translation_wait` seconds for it).
        `hours`: when each mail may reach its recipient (None: at once)."""
        self.patterns = {"consumer": consumer_address, "store": store_address}
        self.hours = hours
        self.languages, self.translation_wait = languages, timedelta(seconds=translation_wait)
        self.env = Environment(
            loader=DictLoader(TEMPLATES),
            undefined=StrictUndefined,
            autoescape=False,  # plain text mail
            keep_trailing_newline=True,
        )

    def address(self, role: str, party_id: str | None) -> str | None:
        if not party_id:
            return None
        if "@" in party_id:
            return party_id
        pattern = self.patterns.get(role)
        return pattern.replace("{id}", party_id) if pattern else None

    def compose(self, event: Any, scope: Scope, now: datetime) -> list[dict[str, Any]]:
        """Outbox rows for one event (none for events that are not mailed)."""
        name = type(event).__name__
        if not isinstance(event, CaseEvent) or name not in MAILED:
            return []
        template, audience = MAILED[name]
        store_id = scope.store_ids[0] if scope.store_ids else None
        parties = {"consumer": scope.consumer_id, "store": store_id}
        rows = []
        for role in audience:
            recipient = self.address(role, parties[role])
            if recipient is None:
                continue
            subject, body = self.render(template, event, scope, role)
            waits_for = None
            if self.languages is not None and self.translation_wait:
                waits_for = mail_language.plan(event, role, self.languages)
            rows.append(
                {
                    "event_id": event_id(event),
                    "recipient": recipient,
                    "subject": subject,
                    "body": body,
                    "status": PENDING,
                    "attempts": 0,
                    "next_attempt_at": self.hours.send_at(event, role, now) if self.hours else now,
                    "created_at": now,
                    "translation": waits_for,
                    "wait_until": now + self.translation_wait if waits_for else None,
                }
            )
        return rows

    def render(self, template: str, event: CaseEvent, scope: Scope, role: str) -> tuple[str, str]:
        name, data = type(event).__name__, event.data
        resolution = ending_resolution(name, data)
        text = self.env.get_template(template).render(
            case_id=scope.subject,
            store_id=scope.store_ids[0] if scope.store_ids else "",
            consumer_id=scope.consumer_id,
            recipient_role=role,
            event=name,
            occurred_at=event.occurred_at.isoformat(),
            data=data,
            resolution=resolution,
            ending=ENDINGS.get(resolution, resolution) if resolution else None,
        )
        head, _, body = text.partition("\n\n")
        return head.removeprefix("Subject: ").strip(), body.lstrip("\n")


@dataclass(frozen=True)
class SmtpServer:
    """`smtp://[user:pass@]host[:port][?starttls=true]` or `smtps://...` (implicit TLS)."""

    host: str
    port: int
    tls: bool
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("REDRESS_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
        query = parse_qs(parts.query)
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname,
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls=query.get("starttls", ["false"])[0].lower() in ("1", "true", "yes"),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )

    def send(self, sender: str, recipient: str, subject: str, body: str) -> None:
        """Send one mail (blocking; raises smtplib.SMTPException or OSError on failure)."""
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = sender, recipient, subject
        message["Message-ID"] = make_msgid(domain="redress.invalid")
        message.set_content(body)
        context = ssl.create_default_context()
        smtp: smtplib.SMTP
        if self.tls:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=30, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=30)
        with smtp:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)
