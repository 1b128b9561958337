"""The scheduler's deadline index.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "scheduled_deadlines",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("deadline_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("done", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    # The sweeper walks this index in due order: `WHERE due_at <= now ORDER BY due_at LIMIT n`.
    op.create_index("ix_scheduled_deadlines_due_at", "scheduled_deadlines", ["due_at"])


def downgrade() -> None:
    op.drop_index("ix_scheduled_deadlines_due_at", "scheduled_deadlines")
    op.drop_table("scheduled_deadlines")
