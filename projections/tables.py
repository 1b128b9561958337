"""Read-model tables (Alembic migrates them; see migrations/)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    false,
)

metadata = MetaData()

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

case_list = Table(
    "case_list",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("store_id", String(200), nullable=False),
    Column("consumer_id", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("status", String(32), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("next_due_at", DateTime(timezone=True)),
    Index("ix_case_list_created", "created_at", "case_id"),
    Index("ix_case_list_store", "store_id", "created_at"),
    Index("ix_case_list_consumer", "consumer_id", "created_at"),
    Index("ix_case_list_platform_status", "platform", "status"),
)

# The scheduler's deadline index (services/scheduler/index.py): every pending deadline of every
# case, as the last event of that case listed it. `done` marks an incarnation (id + due_at) the
# sweeper has already acted on, until the log stops listing it.
scheduled_deadlines = Table(
    "scheduled_deadlines",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("deadline_id", String(64), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("action", String(32), nullable=False),
    Column("done", Boolean, nullable=False, server_default=false()),
    Index("ix_scheduled_deadlines_due_at", "due_at"),
)
