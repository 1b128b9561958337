"""The notifier's tables, on the shared metadata (migrations/versions/0004_notifier.py).

Instants are stored in UTC (SQLite keeps no offset: read them back with `utc`).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

from projections.tables import metadata

# Autoincrementing ids: BIGSERIAL on PostgreSQL, ROWID on SQLite.
Id = BigInteger().with_variant(Integer(), "sqlite")
TZ = DateTime(timezone=True)
PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
ACTIVE, DISABLED, DELETED = "active", "disabled", "deleted"

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("url", Text, nullable=False),
    Column("event_types", JSON, nullable=False),
    Column("store_ids", JSON),  # NULL: every store (admin subscriptions only)
    Column("owner_role", String(16), nullable=False),
    Column("owner_subject", String(200), nullable=False),
    Column("secret", Text, nullable=False),  # sealed (see services.notifier.signing)
    Column("previous_secret", Text),
    Column("previous_secret_until", TZ),
    Column("status", String(16), nullable=False),  # active | disabled | deleted
    Column("disabled_reason", String(32)),
    Column("disabled_at", TZ),
    Column("notice_pending", Boolean, nullable=False, server_default=false()),
    Column("failing_since", TZ),  # first failed attempt since the last success
    Column("created_at", TZ, nullable=False),
    Index("ix_webhook_endpoints_status", "status"),
)

webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),  # log order: the per-case order
    Column("endpoint_id", String(40), nullable=False),
    Column("event_id", String(100), nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("subject", String(200), nullable=False),  # the ordering key: case (or store) id
    Column("payload", Text, nullable=False),  # the exact body, fixed at fan-out
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("retry_step", Integer, nullable=False, server_default="0"),  # attempts this series
    Column("next_attempt_at", TZ, nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", TZ),
    Column("created_at", TZ, nullable=False),
    Column("delivered_at", TZ),
    Column("last_status_code", Integer),
    Column("last_error", String(500)),
    UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_order", "endpoint_id", "subject", "status", "id"),
    Index("ix_webhook_deliveries_endpoint", "endpoint_id", "id"),
    Index("ix_webhook_deliveries_delivered", "status", "delivered_at"),  # pruning
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("delivery_id", BigInteger, nullable=False),
    Column("at", TZ, nullable=False),
    Column("status_code", Integer),
    Column("latency_ms", Integer, nullable=False),
    Column("error", String(500)),
    Column("response", Text),  # the first 256 bytes of the answer (1 KiB before 0007)
    Column("response_headers", JSON),  # the answer's headers (services.notifier.sender)
    Index("ix_webhook_attempts_delivery", "delivery_id", "id"),
    Index("ix_webhook_attempts_at", "at"),  # pruning
)

# Who may see an aggregate's events: filled by the fan-out from creation events, so neither the
# fan-out nor the feed has to load aggregates to learn a case's store and consumer.
notifier_scopes = Table(
    "notifier_scopes",
    metadata,
    Column("originator_id", String(36), primary_key=True),
    Column("kind", String(8), nullable=False),  # case | store
    Column("subject", String(200), nullable=False),  # the case id or the store id
    Column("store_id", String(200), nullable=False),
    Column("consumer_id", String(200)),
)

notifier_emails = Table(
    "notifier_emails",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("event_id", String(100), nullable=False),
    Column("recipient", String(320), nullable=False),
    Column("subject", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("status", String(16), nullable=False),  # pending | delivered | failed
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", TZ, nullable=False),
    Column("claimed_by", String(64)),
    Column("claimed_until", TZ),
    Column("created_at", TZ, nullable=False),
    Column("sent_at", TZ),
    Column("last_error", String(500)),
    # A mail holding a text in another language than its reader's: {case_id, message_id,
    # language, original}; sent with the translation once recorded, or as written (with a
    # note) at `wait_until` (migrations/versions/0005_translator.py).
    Column("translation", JSON),
    Column("wait_until", TZ),
    UniqueConstraint("event_id", "recipient", name="uq_notifier_emails_event"),
    Index("ix_notifier_emails_due", "status", "next_attempt_at"),
)


def utc(instant: datetime | None) -> datetime | None:
    """An instant read back from either backend, as an aware UTC datetime."""
    if instant is None:
        return None
    return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
