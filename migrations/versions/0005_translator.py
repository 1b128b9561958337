"""The translator's work queue, and what a mail waits for to be sent in its reader's language.

Revision ID: 0005_translator
Revises: 0001
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_translator"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = ("translator",)
depends_on: str | Sequence[str] | None = "0004"  # notifier_emails

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "translation_jobs",
        sa.Column("case_id", sa.String(36), primary_key=True),
        sa.Column("message_id", sa.String(64), primary_key=True),
        sa.Column("target", sa.String(64), primary_key=True),
        sa.Column("source_version", sa.Integer, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("source", sa.String(64)),
        sa.Column("written_at", TZ, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TZ, nullable=False),
        sa.Column("last_error", sa.Text),
    )
    # Claims walk this index: `WHERE next_attempt_at <= now ORDER BY next_attempt_at LIMIT n`.
    op.create_index("ix_translation_jobs_next_attempt_at", "translation_jobs", ["next_attempt_at"])

    op.create_table(
        "translation_totals",
        sa.Column("name", sa.String(32), primary_key=True),
        sa.Column("count", sa.BigInteger, nullable=False),
    )
    op.add_column("notifier_emails", sa.Column("translation", sa.JSON))
    op.add_column("notifier_emails", sa.Column("wait_until", TZ))


def downgrade() -> None:
    op.drop_column("notifier_emails", "wait_until")
    op.drop_column("notifier_emails", "translation")
    op.drop_table("translation_totals")
    op.drop_index("ix_translation_jobs_next_attempt_at", "translation_jobs")
    op.drop_table("translation_jobs")
