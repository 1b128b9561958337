"""Signed checkpoints of the event log and the checkpointer's position (services.audit).

Revision ID: 0009_audit_checkpoints
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009_audit_checkpoints"
down_revision: str | None = "0004"  # its webhooks go out through the notifier's tables
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "audit_follower",
        sa.Column("name", sa.String(16), primary_key=True),
        sa.Column("position", sa.BigInteger, nullable=False),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("log_digest", sa.String(64), nullable=False),
        sa.Column("started_at", TZ, nullable=False),
    )
    op.create_table(
        "audit_heads",
        sa.Column("chain_id", sa.String(36), primary_key=True),
        sa.Column("head_hash", sa.String(64), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("position", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "audit_checkpoints",
        sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("events", sa.BigInteger, nullable=False),
        sa.Column("chains", sa.Integer, nullable=False),
        sa.Column("root", sa.String(64), nullable=False),
        sa.Column("log_digest", sa.String(64), nullable=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("algorithm", sa.String(16), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("public_key", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("audit_checkpoints")
    op.drop_table("audit_heads")
    op.drop_table("audit_follower")
