"""Reading the statistics read models as plain data: totals per platform and per store,
first-response percentiles, refund totals, deadlines at risk and store scorecards.

Percentiles are `percentile_cont` (linear interpolation between the two nearest ranks):
computed by PostgreSQL itself there, by `percentile` below on SQLite.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from math import floor
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, and_, func, or_, select, true
from sqlalchemy import case as when

from domain.statuses import RESOLUTIONS, STATUSES, TERMINAL
from projections import case_stats as stats_projection
from projections import stores as stores_projection
from projections.rows import utc
from projections.tables import (
    case_stats,
    pending_deadlines,
    projection_positions,
    refund_totals,
    store_scorecards,
)

AT_RISK_WITHIN = timedelta(hours=24)
COUNTERS = stats_projection.COUNTERS
STATS_READ_MODELS = (stats_projection.NAME,)
STORE_READ_MODELS = (stats_projection.NAME, stores_projection.NAME)
C = case_stats.c
# The store let a deadline pass: it was reminded, warned, escalated for it or auto-approved.
BREACHED = or_(C.reminders > 0, C.warnings > 0, C.sla_escalations > 0, C.auto_approvals > 0)
Block = dict[str, Any]


@dataclass(frozen=True)
class Scope:
    """Which cases to count: one platform, some stores, or all."""

    platform: str | None = None
    store_ids: Sequence[str] | None = None

    def on(self, table: Table) -> ColumnElement[bool]:
        clauses = []
        if self.platform is not None:
            clauses.append(table.c.platform == self.platform)
        if self.store_ids is not None:
            clauses.append(table.c.store_id.in_(list(self.store_ids)))
        return and_(true(), *clauses)


ALL = Scope()


def position(connection: Connection, names: Iterable[str]) -> int:
    """The last log position every named read model has applied (0 if one never ran)."""
    wanted = set(names)
    rows = connection.execute(
        select(projection_positions.c.name, projection_positions.c.position).where(
            projection_positions.c.name.in_(wanted)
        )
    ).all()
    found = {name: int(at) for name, at in rows}
    return min(found.get(name, 0) for name in wanted)


def percentile(ordered: Sequence[float], q: float) -> float | None:
    """`percentile_cont(q)` of ascending values."""
    if not ordered:
        return None
    rank = (len(ordered) - 1) * q
    low = floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return float(ordered[low] + (ordered[high] - ordered[low]) * (rank - low))


def empty_stats() -> Block:
    return {
        "cases": 0,
        "open": 0,
        "by_status": dict.fromkeys(STATUSES, 0),
        "by_resolution": dict.fromkeys(RESOLUTIONS, 0),
        "sla_breached_cases": 0,
        **dict.fromkeys(COUNTERS, 0),
        "first_response": {"responded": 0, "median_seconds": None, "p90_seconds": None},
        "refunds": [],
    }


def stats(connection: Connection, scope: Scope = ALL, by: str | None = None) -> dict[Any, Block]:
    """The statistics block of the cases in `scope`, per value of the column `by`
    (`platform` or `store_id`), or one block keyed None."""
    blocks: dict[Any, Block] = defaultdict(empty_stats)
    keys = [] if by is None else [C[by]]
    counts = select(
        *keys,
        C.status,
        C.resolution,
        func.count(),
        func.sum(when((BREACHED, 1), else_=0)),
        *(func.sum(C[name]) for name in COUNTERS),
    ).where(scope.on(case_stats))
    for row in connection.execute(counts.group_by(*keys, C.status, C.resolution)):
        key = row[0] if keys else None
        status, resolution, cases, breached, *sums = row[len(keys) :]
        block = blocks[key]
        block["cases"] += cases
        block["open"] += 0 if status in TERMINAL else cases
        block["by_status"][status] = block["by_status"].get(status, 0) + cases
        if resolution is not None:
            ended = block["by_resolution"]
            ended[resolution] = ended.get(resolution, 0) + cases
        block["sla_breached_cases"] += int(breached or 0)
        for name, value in zip(COUNTERS, sums, strict=True):
            block[name] += int(value or 0)
    for key, first_response in _first_responses(connection, scope, by).items():
        blocks[key]["first_response"] = first_response
    for key, refunds in _refunds(connection, scope, by).items():
        blocks[key]["refunds"] = refunds
    return dict(blocks)


def _first_responses(connection: Connection, scope: Scope, by: str | None) -> dict[Any, Block]:
    keys = [] if by is None else [C[by]]
    seconds = C.first_response_seconds
    responded = and_(scope.on(case_stats), seconds.is_not(None))
    if connection.dialect.name == "postgresql":
        query = select(
            *keys,
            func.count(seconds),
            func.percentile_cont(0.5).within_group(seconds),
            func.percentile_cont(0.9).within_group(seconds),
        ).where(responded)
        return {
            (row[0] if keys else None): {
                "responded": row[-3],
                "median_seconds": float(row[-2]),
                "p90_seconds": float(row[-1]),
            }
            for row in connection.execute(query.group_by(*keys))
            if row[-3]  # without groups, no answered case still gives one row of NULLs
        }
    values: dict[Any, list[float]] = defaultdict(list)
    for row in connection.execute(select(*keys, seconds).where(responded).order_by(*keys, seconds)):
        values[row[0] if keys else None].append(row[-1])
    return {
        key: {
            "responded": len(found),
            "median_seconds": percentile(found, 0.5),
            "p90_seconds": percentile(found, 0.9),
        }
        for key, found in values.items()
    }


def _refunds(connection: Connection, scope: Scope, by: str | None) -> dict[Any, list[Block]]:
    """Refund totals per currency and payer: exact decimal sums, made here."""
    sums: dict[Any, dict[tuple[str, str], tuple[Decimal, int]]] = defaultdict(dict)
    rows = connection.execute(select(refund_totals).where(scope.on(refund_totals))).mappings()
    for row in rows:
        found = sums[None if by is None else row[by]]
        amount, count = found.get((row["currency"], row["payer"]), (Decimal(0), 0))
        found[row["currency"], row["payer"]] = (
            amount + Decimal(row["amount"]),
            count + row["refunds"],
        )
    return {
        key: [
            {"currency": currency, "payer": payer, "amount": str(amount), "refunds": count}
            for (currency, payer), (amount, count) in sorted(found.items())
        ]
        for key, found in sums.items()
    }


def deadlines_at_risk(
    connection: Connection, now: datetime, scope: Scope = ALL, limit: int = 50
) -> Block:
    """Pending deadlines due within `AT_RISK_WITHIN` of `now`, or overdue (due, not yet acted
    on by the scheduler): how many, and the soonest `limit` of them."""
    d = pending_deadlines.c
    horizon = now + AT_RISK_WITHIN
    if connection.dialect.name == "sqlite":  # stored naive UTC there
        now, horizon = _naive(now), _naive(horizon)
    at_risk = and_(scope.on(pending_deadlines), d.due_at <= horizon)
    counts = select(func.count(), func.sum(when((d.due_at <= now, 1), else_=0))).where(at_risk)
    total, overdue = connection.execute(counts).one()
    soonest = connection.execute(
        select(pending_deadlines).where(at_risk).order_by(d.due_at, d.case_id).limit(limit)
    ).mappings()
    items = [
        {
            "case_id": row["case_id"],
            "deadline_id": row["deadline_id"],
            "platform": row["platform"],
            "store_id": row["store_id"],
            "kind": row["kind"],
            "action": row["action"],
            "due_at": utc(row["due_at"]),
            "overdue": row["due_at"] <= now,
        }
        for row in soonest
    ]
    return {
        "within_hours": int(AT_RISK_WITHIN.total_seconds() // 3600),
        "count": int(total),
        "overdue": int(overdue or 0),
        "items": items,
    }


def _naive(instant: datetime) -> datetime:
    moment = utc(instant)
    assert moment is not None
    return moment.replace(tzinfo=None)


def store_counts(connection: Connection, scope: Scope = ALL) -> Block:
    s = store_scorecards.c
    query = select(func.count(), func.sum(when((s.certified, 1), else_=0))).where(
        scope.on(store_scorecards)
    )
    stores, certified = connection.execute(query).one()
    return {"stores": int(stores), "certified_stores": int(certified or 0)}


def scorecards(
    connection: Connection, platform: str | None, limit: int, after: str | None = None
) -> list[Block]:
    """Stores in id order after `after`: their record and their cases' statistics."""
    s = store_scorecards.c
    query = select(store_scorecards).where(Scope(platform).on(store_scorecards))
    if after is not None:
        query = query.where(s.store_id > after)
    rows = connection.execute(query.order_by(s.store_id).limit(limit)).mappings().all()
    return _cards(connection, rows)


def scorecards_of(connection: Connection, store_ids: Sequence[str]) -> list[Block]:
    """The scorecards of these stores (those registered), in id order."""
    s = store_scorecards.c
    query = select(store_scorecards).where(s.store_id.in_(list(store_ids))).order_by(s.store_id)
    return _cards(connection, connection.execute(query).mappings().all())


def _cards(connection: Connection, stores: Sequence[Any]) -> list[Block]:
    ids = [row["store_id"] for row in stores]
    blocks = stats(connection, Scope(store_ids=ids), by="store_id") if ids else {}
    return [
        {
            "store_id": row["store_id"],
            "platform": row["platform"],
            "name": row["name"],
            "country": row["country"],
            "certified": bool(row["certified"]),
            "warnings": row["warnings"],
            "revocations": row["revocations"],
            "revocation_reason": row["revocation_reason"],
            "reapply_after": utc(row["reapply_after"]),
            "registered_at": utc(row["registered_at"]),
            "stats": blocks.get(row["store_id"]) or empty_stats(),
        }
        for row in stores
    ]
