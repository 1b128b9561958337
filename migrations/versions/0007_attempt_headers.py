"""Webhook attempts keep the receiver's answer headers (services.notifier.sender).

Revision ID: 0007_attempt_headers
Revises: 0005_retention
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_attempt_headers"
down_revision: str | None = "0005_retention"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("webhook_attempts", sa.Column("response_headers", sa.JSON))


def downgrade() -> None:
    op.drop_column("webhook_attempts", "response_headers")
