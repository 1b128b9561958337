"""The order reference on the case list, for the dashboard's search by order.

Rows of cases filed before this revision lack it, so the case list is emptied and its position
reset: the projector (or `redress projections rebuild case_list`) refills it from the log.

Revision ID: 0006_order_reference
Revises: 0005
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_order_reference"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("case_list", sa.Column("order_reference", sa.String(200)))
    op.create_index("ix_case_list_order_reference", "case_list", ["order_reference"])
    op.execute(sa.table("case_list").delete())
    positions = sa.table("projection_positions", sa.column("name", sa.String))
    op.execute(positions.delete().where(positions.c.name == "case_list"))


def downgrade() -> None:
    op.drop_index("ix_case_list_order_reference", "case_list")
    with op.batch_alter_table("case_list") as batch:
        batch.drop_column("order_reference")
