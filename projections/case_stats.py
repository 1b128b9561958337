"""Case statistics: one row per case (status, first response, SLA counters), refund totals per
store, currency and payer, and every pending deadline (what the "at risk" list reads).

What counts:
- first response: Submitted → the store's first `StoreResponded`, `StoreClosed` or
  `DecisionMade` (logical times, so a staff import counts from its `submitted_at`);
- reminders, warnings, escalations, auto-approvals: one per `Reminded`, `Warned`, `Escalated`,
  `AutoApproved`; `sla_escalations` are the escalations for a missed deadline
  (`reason = sla_missed`), as opposed to those a consumer or staff asked for;
- a case breached its SLA when the store let a deadline pass: it was reminded, warned,
  escalated for a missed deadline or auto-approved (see `projections.queries`);
- how it ended: its `resolution` (None while it goes on), as the domain's events decide it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from domain.case_events import (
    AutoApproved,
    CaseEvent,
    DecisionMade,
    Escalated,
    Refunded,
    Reminded,
    StoreClosed,
    StoreResponded,
    Submitted,
    Warned,
)
from domain.statuses import Status
from projections.cases import Statuses, case_events, earlier_cases
from projections.rows import DatabaseRows, Row, RowStore, utc
from projections.tables import case_stats, pending_deadlines, refund_totals

NAME = "case_stats"
TABLES = (case_stats, refund_totals, pending_deadlines)
FIRST_RESPONSES = (StoreResponded, StoreClosed, DecisionMade)
COUNTERS = ("reminders", "warnings", "escalations", "sla_escalations", "auto_approvals")
MUTABLE = ("status", "resolution", "first_response_at", "first_response_seconds", *COUNTERS)
RefundKey = tuple[str, str, str]  # store_id, currency, payer


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    fold(DatabaseRows(connection), events)


def fold(rows: RowStore, events: Sequence[Any]) -> None:
    keyed = case_events(events)
    if not keyed:
        return
    known = rows.load(case_stats, case_stats.c.case_id, earlier_cases(keyed))
    statuses = Statuses(lambda row: row["escalations"] > 0)
    new: dict[str, Row] = {}
    changed: dict[str, Row] = {}
    refunds: dict[RefundKey, tuple[str, Decimal, int]] = {}
    latest: dict[str, CaseEvent] = {}
    for case_id, event in keyed:
        latest[case_id] = event
        if isinstance(event, Submitted):
            new[case_id] = _submitted(case_id, event)
            continue
        row = new.get(case_id) or changed.get(case_id)
        if row is None:
            row = changed[case_id] = dict(known[case_id])
        statuses.after(case_id, row, event)
        _count(row, event)
        if isinstance(event, Refunded):
            key = (row["store_id"], event.currency, event.payer)
            _platform, amount, count = refunds.get(key, (row["platform"], Decimal(0), 0))
            refunds[key] = (row["platform"], amount + event.amount, count + 1)
    rows.insert(case_stats, list(new.values()))
    rows.update(
        case_stats,
        ["case_id"],
        [{"case_id": case_id, **{c: row[c] for c in MUTABLE}} for case_id, row in changed.items()],
    )
    _add_refunds(rows, refunds)
    _replace_deadlines(rows, latest, changed, new)


def _submitted(case_id: str, event: Submitted) -> Row:
    return {
        "case_id": case_id,
        "platform": event.platform,
        "store_id": event.store_id,
        "status": Status.AWAITING_STORE,
        "resolution": None,
        "submitted_at": event.occurred_at,
        "first_response_at": None,
        "first_response_seconds": None,
        **dict.fromkeys(COUNTERS, 0),
    }


def _count(row: Row, event: CaseEvent) -> None:
    if isinstance(event, FIRST_RESPONSES) and row["first_response_at"] is None:
        submitted = utc(row["submitted_at"])
        assert submitted is not None
        row["first_response_at"] = event.occurred_at
        row["first_response_seconds"] = int((event.occurred_at - submitted).total_seconds())
    if isinstance(event, Reminded):
        row["reminders"] += 1
    elif isinstance(event, Warned):
        row["warnings"] += 1
    elif isinstance(event, Escalated):
        row["escalations"] += 1
        row["sla_escalations"] += event.reason == "sla_missed"
    elif isinstance(event, AutoApproved):
        row["auto_approvals"] += 1


def _add_refunds(rows: RowStore, deltas: dict[RefundKey, tuple[str, Decimal, int]]) -> None:
    if not deltas:
        return
    stored = {
        (r["store_id"], r["currency"], r["payer"]): r
        for r in rows.select_in(refund_totals, refund_totals.c.store_id, (k[0] for k in deltas))
    }
    fresh, grown = [], []
    for (store_id, currency, payer), (platform, amount, count) in deltas.items():
        row = stored.get((store_id, currency, payer))
        values = {"store_id": store_id, "currency": currency, "payer": payer}
        if row is None:
            fresh.append({**values, "platform": platform, "amount": str(amount), "refunds": count})
        else:
            total = Decimal(row["amount"]) + amount
            grown.append({**values, "amount": str(total), "refunds": row["refunds"] + count})
    rows.insert(refund_totals, fresh)
    rows.update(refund_totals, ["store_id", "currency", "payer"], grown)


def add_up_refunds(parts: Iterable[Row]) -> list[Row]:
    """`refund_totals` rows from disjoint sets of cases, added up by store, currency and payer
    (decimal sums are exact, so the text is what one pass gives)."""
    totals: dict[RefundKey, Row] = {}
    for row in parts:
        key = (row["store_id"], row["currency"], row["payer"])
        total = totals.get(key)
        if total is None:
            totals[key] = dict(row)
            continue
        total["amount"] = str(Decimal(total["amount"]) + Decimal(row["amount"]))
        total["refunds"] += row["refunds"]
    return list(totals.values())


def _replace_deadlines(
    rows: RowStore,
    latest: dict[str, CaseEvent],
    changed: dict[str, Row],
    new: dict[str, Row],
) -> None:
    """Each case's pending deadlines are the ones its latest event lists."""
    cases = {**changed, **new}
    rows.delete_where_in(pending_deadlines.c.case_id, set(latest) - set(new))
    deadlines = [
        {
            "case_id": case_id,
            "deadline_id": deadline["id"],
            "platform": cases[case_id]["platform"],
            "store_id": cases[case_id]["store_id"],
            "kind": deadline["kind"],
            "action": deadline["action"],
            "due_at": deadline["due_at"],
        }
        for case_id, event in latest.items()
        for deadline in event.deadlines
    ]
    rows.insert(pending_deadlines, deadlines)
