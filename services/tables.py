"""Tables the API owns, on the same metadata as the read models (Alembic migrates both)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from projections.tables import case_list, metadata, projection_positions
from services.audit import tables as _audit_tables  # noqa: F401  (the same)
from services.notifier import tables as _notifier_tables  # noqa: F401  (its tables, same metadata)
from services.translator import tables as _translator_tables  # noqa: F401  (the same)

__all__ = [
    "api_keys",
    "case_list",
    "dashboard_sessions",
    "idempotency_keys",
    "metadata",
    "projection_positions",
    "subject_keys",
]

api_keys = Table(
    "api_keys",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("token_hash", String(64), nullable=False),
    Column("role", String(16), nullable=False),
    Column("subject", String(200), nullable=False),
    Column("store_ids", JSON, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(64), primary_key=True),  # the caller's API key id
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("state", String(8), nullable=False),  # running | done
    Column("status_code", Integer),
    Column("headers", JSON),
    Column("body", Text),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_idempotency_keys_expires_at", "expires_at"),
)

# A dashboard sign-in: the cookie holds a random id; only its SHA-256 is kept, with the key it
# stands for (checked on every page, so a revoked key's sessions end with it) and its expiry.
dashboard_sessions = Table(
    "dashboard_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("key_id", String(40), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Index("ix_dashboard_sessions_expires_at", "expires_at"),
)

# One key per data subject and case, sealing their personal data; `wrapped` NULL once erased
# (services.eventstore.subject_keys; created by migration 0010, like the event tables by 0008).
subject_keys = Table(
    "subject_keys",
    metadata,
    Column("key_id", String(32), primary_key=True),
    Column("subject_id", String(36), nullable=False),
    Column("case_id", String(36), nullable=False),
    Column("wrapped", LargeBinary),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True)),
    Index("ix_subject_keys_subject", "subject_id"),
)
