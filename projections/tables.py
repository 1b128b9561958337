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
    func,
    text,
)

# Stored instants are UTC (SQLite hands them back naive); money is exact decimal text, summed
# in Python, because SQLite has no exact decimal type.
TZ = DateTime(timezone=True)

metadata = MetaData()

projection_positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)

# Events a read model could not take (projections.parking): skipped, so the rest flow on,
# and kept here until an operator replays them (`redress projections retry`).
projection_parked = Table(
    "projection_parked",
    metadata,
    Column("projection", String(64), primary_key=True),
    Column("notification_id", BigInteger, primary_key=True),
    Column("originator_id", String(36), nullable=False),
    Column("originator_version", Integer, nullable=False),
    Column("topic", String(300), nullable=False),
    Column("error", String(500), nullable=False),
    Column("parked_at", TZ, nullable=False, server_default=func.now()),
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
    Column("resolution", String(32)),  # how the case ended; NULL while it goes on
    # Staff have had the case (what a rejection returns it to); the projection needs it.
    Column("escalated", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("next_due_at", DateTime(timezone=True)),
    Column("order_reference", String(200)),  # the dashboard's search by order
    Index("ix_case_list_created", "created_at", "case_id"),
    Index("ix_case_list_order_reference", "order_reference"),
    Index("ix_case_list_store", "store_id", "created_at"),
    Index("ix_case_list_consumer", "consumer_id", "created_at"),
    Index("ix_case_list_platform_status", "platform", "status"),
    # A store's list by status in either order, and any list by update (migration 0012).
    Index("ix_case_list_store_status_created", "store_id", "status", "created_at", "case_id"),
    Index("ix_case_list_store_status_updated", "store_id", "status", "updated_at", "case_id"),
    Index("ix_case_list_updated", "updated_at", "case_id"),
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
    # The claim's order over pending rows only: claims never walk past what was fired (0011),
    # and stop at a batch rather than sort every due row (0015).
    Index(
        "ix_scheduled_deadlines_pending",
        "due_at",
        "case_id",
        "deadline_id",
        postgresql_where=text("NOT done"),
        sqlite_where=text("NOT done"),
    ),
)


# -- the `case_stats` projection (projections/case_stats.py) -----------------------------------

# One row per case: what per-platform and per-store statistics aggregate over.
case_stats = Table(
    "case_stats",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("store_id", String(200), nullable=False),
    Column("status", String(32), nullable=False),
    Column("resolution", String(32)),  # how the case ended; NULL while it goes on
    Column("submitted_at", TZ, nullable=False),
    # Submitted → the store's first StoreResponded, StoreClosed or DecisionMade.
    Column("first_response_at", TZ),
    Column("first_response_seconds", Integer),
    Column("reminders", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("escalations", Integer, nullable=False),
    Column("sla_escalations", Integer, nullable=False),  # Escalated with reason sla_missed
    Column("auto_approvals", Integer, nullable=False),
    Index("ix_case_stats_platform_status", "platform", "status"),
    Index("ix_case_stats_store", "store_id", "status"),
)

refund_totals = Table(
    "refund_totals",
    metadata,
    Column("store_id", String(200), primary_key=True),
    Column("currency", String(3), primary_key=True),
    Column("payer", String(16), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("amount", String(40), nullable=False),  # decimal text
    Column("refunds", Integer, nullable=False),
    Index("ix_refund_totals_platform", "platform"),
)

# Every pending deadline of every case, as its latest event lists them ("at risk" is a query:
# due within the next 24 hours, or already overdue).
pending_deadlines = Table(
    "pending_deadlines",
    metadata,
    Column("case_id", String(36), primary_key=True),
    Column("deadline_id", String(64), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("store_id", String(200), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("action", String(32), nullable=False),
    Column("due_at", TZ, nullable=False),
    Index("ix_pending_deadlines_due_at", "due_at"),
    Index("ix_pending_deadlines_platform_due_at", "platform", "due_at"),
)

# -- the `store_scorecards` projection (projections/stores.py) ---------------------------------

store_scorecards = Table(
    "store_scorecards",
    metadata,
    Column("store_id", String(200), primary_key=True),
    Column("store_uuid", String(36), nullable=False),  # the aggregate's id in the event log
    Column("platform", String(32), nullable=False),
    Column("name", String(500), nullable=False),
    Column("country", String(2), nullable=False),
    Column("certified", Boolean, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("revocations", Integer, nullable=False),
    Column("revocation_reason", String(64)),
    Column("reapply_after", TZ),
    Column("registered_at", TZ, nullable=False),
    Index("ix_store_scorecards_platform", "platform", "store_id"),
    Index("ix_store_scorecards_store_uuid", "store_uuid", unique=True),
)
