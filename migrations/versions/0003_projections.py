"""Read models of the projections: case statistics, refund totals, pending deadlines, store
scorecards (the case list and projection positions came with 0001).

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-22
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("projections",)
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_stats",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("store_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("submitted_at", TZ, nullable=False),
        sa.Column("first_response_at", TZ),
        sa.Column("first_response_seconds", sa.Integer),
        sa.Column("reminders", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("escalations", sa.Integer, nullable=False),
        sa.Column("sla_escalations", sa.Integer, nullable=False),
        sa.Column("auto_approvals", sa.Integer, nullable=False),
    )
    op.create_index("ix_case_stats_platform_status", "case_stats", ["platform", "status"])
    op.create_index("ix_case_stats_store", "case_stats", ["store_id", "status"])
    op.create_table(
        "refund_totals",
        sa.Column("store_id", sa.String(200), primary_key=True),
        sa.Column("currency", sa.String(3), primary_key=True),
        sa.Column("payer", sa.String(16), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("amount", sa.String(40), nullable=False),
        sa.Column("refunds", sa.Integer, nullable=False),
    )
    op.create_index("ix_refund_totals_platform", "refund_totals", ["platform"])
    op.create_table(
        "pending_deadlines",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("deadline_id", sa.String(64), primary_key=True),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("store_id", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("due_at", TZ, nullable=False),
    )
    op.create_index("ix_pending_deadlines_due_at", "pending_deadlines", ["due_at"])
    op.create_index(
        "ix_pending_deadlines_platform_due_at", "pending_deadlines", ["platform", "due_at"]
    )
    op.create_table(
        "store_scorecards",
        sa.Column("store_id", sa.String(200), primary_key=True),
        sa.Column("store_uuid", sa.String(36), nullable=False),
        sa.Column("platform", sa.String(32), nullable=False),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("certified", sa.Boolean, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("revocations", sa.Integer, nullable=False),
        sa.Column("revocation_reason", sa.String(64)),
        sa.Column("reapply_after", TZ),
        sa.Column("registered_at", TZ, nullable=False),
    )
    op.create_index("ix_store_scorecards_platform", "store_scorecards", ["platform", "store_id"])
    op.create_index(
        "ix_store_scorecards_store_uuid", "store_scorecards", ["store_uuid"], unique=True
    )


def downgrade() -> None:
    for table in ("store_scorecards", "pending_deadlines", "refund_totals", "case_stats"):
        op.drop_table(table)
