"""The checkpointer's tables, on the shared metadata (migrations/versions/0009_audit_checkpoints).

`audit_follower`: how far the checkpointer has read the log (one row), with the event count and
the running log digest as of there. `audit_heads`: each hash chain's head as of that position.
`audit_checkpoints`: the signed checkpoints, one per position (the primary key: replicas
following the log cannot both sign one position).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, DateTime, Integer, String, Table

from projections.tables import metadata

TZ = DateTime(timezone=True)
FOLLOWER = "log"

audit_follower = Table(
    "audit_follower",
    metadata,
    Column("name", String(16), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("events", BigInteger, nullable=False),
    Column("log_digest", String(64), nullable=False),
    Column("started_at", TZ, nullable=False),  # the interval's clock before a first checkpoint
)

audit_heads = Table(
    "audit_heads",
    metadata,
    Column("chain_id", String(36), primary_key=True),
    Column("head_hash", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
)

audit_checkpoints = Table(
    "audit_checkpoints",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("events", BigInteger, nullable=False),
    Column("chains", Integer, nullable=False),
    Column("root", String(64), nullable=False),
    Column("log_digest", String(64), nullable=False),
    Column("at", TZ, nullable=False),
    Column("algorithm", String(16), nullable=False),
    Column("key_id", String(16), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
)
