"""The case list's orders as indexes: a filtered page of GET /v1/cases reads its rows in order.

A store's list filtered by status, newest (or latest changed) first, sorted every matching row
to keep fifty; so did any list in `updated_at` order. Each index ends in `case_id`, the order's
tie-break, so a page and its cursor (a row comparison on both) are one index range.

Revision ID: 0012_case_list_order_indexes
Revises: 0006_order_reference
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012_case_list_order_indexes"
down_revision: str | None = "0006_order_reference"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_case_list_store_status_created": ["store_id", "status", "created_at", "case_id"],
    "ix_case_list_store_status_updated": ["store_id", "status", "updated_at", "case_id"],
    "ix_case_list_updated": ["updated_at", "case_id"],
}


def upgrade() -> None:
    for name, columns in INDEXES.items():
        op.create_index(name, "case_list", columns)


def downgrade() -> None:
    for name in INDEXES:
        op.drop_index(name, "case_list")
