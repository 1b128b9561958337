"""Keys of data subjects, sealing their personal data (services.eventstore.subject_keys).

Revision ID: 0010_subject_keys
Revises: 0001
Create Date: 2026-12-06

Events recorded before this revision keep their plaintext and their hashes; erasing a subject
seals those in place (docs/personal-data.md). A process that started before the migration
may have created the table already (as the library does its own): it is then left as is.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010_subject_keys"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if sa.inspect(op.get_bind()).has_table("subject_keys"):
        return
    op.create_table(
        "subject_keys",
        sa.Column("key_id", sa.String(32), primary_key=True),
        sa.Column("subject_id", sa.String(36), nullable=False),
        sa.Column("case_id", sa.String(36), nullable=False),
        sa.Column("wrapped", sa.LargeBinary),  # NULL: erased (the row stays, a tombstone)
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True)),
    )
    op.create_index("ix_subject_keys_subject", "subject_keys", ["subject_id"])


def downgrade() -> None:
    op.drop_table("subject_keys")
