"""The scheduler's due-order index holds pending deadlines only (`WHERE NOT done`).

The sweeper marks what it fired `done` and the index keeps those rows until the log stops
listing them; a full index on `due_at` made every claim walk past them again (10,000 fired at
once: each batch's claim stepped over all the batches before it). Every query in due order
(the claim, the next due instant, the pending count) reads pending rows only.

Revision ID: 0011_deadlines_partial_index
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_deadlines_partial_index"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PENDING = sa.text("NOT done")


def upgrade() -> None:
    op.create_index(
        "ix_scheduled_deadlines_pending",
        "scheduled_deadlines",
        ["due_at"],
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.drop_index("ix_scheduled_deadlines_due_at", "scheduled_deadlines")


def downgrade() -> None:
    op.create_index("ix_scheduled_deadlines_due_at", "scheduled_deadlines", ["due_at"])
    op.drop_index("ix_scheduled_deadlines_pending", "scheduled_deadlines")
