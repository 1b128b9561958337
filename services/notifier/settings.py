"""The notifier's own settings (environment prefix `REDRESS_`, like every process)."""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

from pydantic import Field, field_validator, model_validator

from services.notifier.ssrf import allowed_entry
from services.retention import Retention
from services.settings import Settings


class NotifierSettings(Settings):
    """Webhook, delivery and email settings on top of the shared ones (README: Configure)."""

    webhook_allowed_hosts: str = Field(
        "",
        description="comma-separated host:port entries whose webhook URLs may resolve to "
        "loopback or private addresses (refused otherwise); a bare host allows its scheme's "
        "default port only, host:* any port",
    )

    @field_validator("webhook_allowed_hosts")
    @classmethod
    def _entries_parse(cls, value: str) -> str:
        for entry in value.split(","):
            if entry.strip():
                allowed_entry(entry)
        return value

    webhook_timeout: float = Field(15.0, gt=0, description="seconds per webhook request")
    notifier_lease: float = Field(
        60.0,
        gt=0,
        description="seconds a claimed delivery stays with its worker; after that (a crashed "
        "notifier) any notifier may claim it again. Longer than webhook_timeout.",
    )
    notifier_workers: int = Field(4, ge=1, description="claim loops per notifier process")
    notifier_concurrency: int = Field(64, ge=1, description="requests in flight per process")
    notifier_batch: int = Field(50, ge=1, description="deliveries claimed per transaction")
    notifier_poll_interval: float = Field(
        0.2, gt=0, description="seconds between looks at the event log and the due deliveries"
    )
    webhook_delivery_retention_days: float = Field(
        30, gt=0, description="days a delivered webhook delivery is kept after its delivery"
    )
    webhook_attempt_retention_days: float = Field(
        30, gt=0, description="days a webhook attempt's log entry is kept"
    )
    idempotency_retention_hours: float = Field(
        48,
        ge=24,
        description="hours an Idempotency-Key record is kept (it replays for the first 24)",
    )
    prune_interval: float = Field(
        300, gt=0, description="seconds between the notifier's sweeps of expired rows"
    )
    prune_batch: int = Field(
        1000, ge=1, description="rows deleted per transaction when pruning (short locks)"
    )
    smtp_url: str | None = Field(
        None,
        description="smtp://[user:pass@]host[:port][?starttls=true] or smtps://...; "
        "no emails are sent when unset",
    )
    email_from: str = Field("Redress <no-reply@redress.invalid>", description="From: header")
    email_consumer_address: str | None = Field(
        None, description='a consumer\'s address from its id, e.g. "{id}@mail.example"'
    )
    email_store_address: str | None = Field(
        None, description='a store\'s address from its id, e.g. "support+{id}@shop.example"'
    )
    translator: Literal["none", "libretranslate", "deepl"] = Field(
        "none", description="(shared with the translator) mails wait for translations unless none"
    )
    translation_wait: float = Field(
        30.0,
        ge=0,
        description="seconds a mail holding a text in another language than its reader's waits "
        "for the translation before it is sent as written, with a note",
    )

    @model_validator(mode="after")
    def _lease_outlives_a_request(self) -> NotifierSettings:
        if self.notifier_lease <= self.webhook_timeout:
            raise ValueError(
                "REDRESS_NOTIFIER_LEASE must be longer than REDRESS_WEBHOOK_TIMEOUT, or a "
                "slow request could be claimed and sent twice"
            )
        return self

    @property
    def retention(self) -> Retention:
        return Retention(
            deliveries=timedelta(days=self.webhook_delivery_retention_days),
            attempts=timedelta(days=self.webhook_attempt_retention_days),
            idempotency=timedelta(hours=self.idempotency_retention_hours),
            batch=self.prune_batch,
        )

    @property
    def allowed_hosts(self) -> frozenset[str]:
        """The entries, `host[:port]` each (services.notifier.ssrf.allowed_entry)."""
        return frozenset(
            h.strip().lower() for h in self.webhook_allowed_hosts.split(",") if h.strip()
        )

    @classmethod
    def of(cls, shared: Settings) -> NotifierSettings:
        """The notifier's settings for a process configured with the shared ones."""
        if isinstance(shared, NotifierSettings):
            return shared
        return cls(**shared.model_dump())
