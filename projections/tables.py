"""Read-model tables (Alembic migrates them; see migrations/)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table

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
