"""The notifier: webhook endpoints, deliveries and attempts, event scopes, the email outbox.

Revision ID: 0004
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("notifier",)
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "webhook_endpoints",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("event_types", sa.JSON, nullable=False),
        sa.Column("store_ids", sa.JSON),
        sa.Column("owner_role", sa.String(16), nullable=False),
        sa.Column("owner_subject", sa.String(200), nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("previous_secret", sa.Text),
        sa.Column("previous_secret_until", TZ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("disabled_reason", sa.String(32)),
        sa.Column("disabled_at", TZ),
        sa.Column("notice_pending", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("failing_since", TZ),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_index("ix_webhook_endpoints_status", "webhook_endpoints", ["status"])
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("endpoint_id", sa.String(40), nullable=False),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("retry_step", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("delivered_at", TZ),
        sa.Column("last_status_code", sa.Integer),
        sa.Column("last_error", sa.String(500)),
        sa.UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),
    )
    # The claim walks due rows in time order; the order check looks for an earlier pending row
    # of the same endpoint and subject.
    op.create_index(
        "ix_webhook_deliveries_due", "webhook_deliveries", ["status", "next_attempt_at"]
    )
    op.create_index(
        "ix_webhook_deliveries_order",
        "webhook_deliveries",
        ["endpoint_id", "subject", "status", "id"],
    )
    op.create_index("ix_webhook_deliveries_endpoint", "webhook_deliveries", ["endpoint_id", "id"])
    op.create_table(
        "webhook_attempts",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("delivery_id", sa.BigInteger, nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("status_code", sa.Integer),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("error", sa.String(500)),
        sa.Column("response", sa.Text),
    )
    op.create_index("ix_webhook_attempts_delivery", "webhook_attempts", ["delivery_id", "id"])
    op.create_table(
        "notifier_scopes",
        sa.Column("originator_id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("store_id", sa.String(200), nullable=False),
        sa.Column("consumer_id", sa.String(200)),
    )
    op.create_table(
        "notifier_emails",
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(100), nullable=False),
        sa.Column("recipient", sa.String(320), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("claimed_by", sa.String(64)),
        sa.Column("claimed_until", TZ),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("sent_at", TZ),
        sa.Column("last_error", sa.String(500)),
        sa.UniqueConstraint("event_id", "recipient", name="uq_notifier_emails_event"),
    )
    op.create_index("ix_notifier_emails_due", "notifier_emails", ["status", "next_attempt_at"])


def downgrade() -> None:
    for table in (
        "notifier_emails",
        "notifier_scopes",
        "webhook_attempts",
        "webhook_deliveries",
        "webhook_endpoints",
    ):
        op.drop_table(table)
