"""How a case ends: `resolution` on the case list and the case statistics, and whether staff
have had a case (`escalated`, which the case list needs to follow a rejection back to them).

The rows of cases that ended before this revision do not know their resolution, so the two
read models are emptied and their positions reset: the projector (or `redress projections
rebuild case_list case_stats`) refills them from the event log, resolutions included.

Revision ID: 0005
Revises: 0003
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

REFILLED = {
    "case_list": ("case_list",),
    "case_stats": ("case_stats", "refund_totals", "pending_deadlines"),
}


def upgrade() -> None:
    op.add_column("case_list", sa.Column("resolution", sa.String(32)))
    op.add_column(
        "case_list",
        sa.Column("escalated", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.add_column("case_stats", sa.Column("resolution", sa.String(32)))
    positions = sa.table("projection_positions", sa.column("name", sa.String))
    for projection, tables in REFILLED.items():
        for table in tables:
            op.execute(sa.table(table).delete())
        op.execute(positions.delete().where(positions.c.name == projection))


def downgrade() -> None:
    with op.batch_alter_table("case_stats") as batch:
        batch.drop_column("resolution")
    with op.batch_alter_table("case_list") as batch:
        batch.drop_column("escalated")
        batch.drop_column("resolution")
