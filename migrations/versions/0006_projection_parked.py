"""Events a read model could not take, parked so that the others flow on (projections.parking).

Revision ID: 0006_parked
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_parked"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "projection_parked",
        sa.Column("projection", sa.String(64), primary_key=True),
        sa.Column("notification_id", sa.BigInteger, primary_key=True),
        sa.Column("originator_id", sa.String(36), nullable=False),
        sa.Column("originator_version", sa.Integer, nullable=False),
        sa.Column("topic", sa.String(300), nullable=False),
        sa.Column("error", sa.String(500), nullable=False),
        sa.Column(
            "parked_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()
        ),
    )


def downgrade() -> None:
    op.drop_table("projection_parked")
