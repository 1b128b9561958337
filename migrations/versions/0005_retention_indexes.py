"""Indexes for pruning delivered webhook deliveries and old attempt logs (services.retention).

Revision ID: 0005_retention
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005_retention"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_webhook_deliveries_delivered", "webhook_deliveries", ["status", "delivered_at"]
    )
    op.create_index("ix_webhook_attempts_at", "webhook_attempts", ["at"])


def downgrade() -> None:
    op.drop_index("ix_webhook_attempts_at", table_name="webhook_attempts")
    op.drop_index("ix_webhook_deliveries_delivered", table_name="webhook_deliveries")
