"""The case list: one row per case with what lists filter and sort on (its status, and its
resolution once it has ended)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from domain.case_events import CaseEvent, Escalated, Submitted
from domain.statuses import Status
from projections.cases import Statuses, case_events, earlier_cases
from projections.rows import DatabaseRows, Row, RowStore
from projections.tables import case_list

NAME = "case_list"
TABLES = (case_list,)


def next_due(event: CaseEvent) -> datetime | None:
    if not event.deadlines:  # most events: the generator below costs more than the answer
        return None
    due: datetime | None = min(d["due_at"] for d in event.deadlines)
    return due


def apply_events(connection: Connection, events: Sequence[Any]) -> None:
    fold(DatabaseRows(connection), events)


def fold(rows: RowStore, events: Sequence[Any]) -> None:
    keyed = case_events(events)
    known = rows.load(case_list, case_list.c.case_id, earlier_cases(keyed))
    statuses = Statuses(lambda row: bool(row["escalated"]))
    new: dict[str, Row] = {}
    changed: dict[str, Row] = {}
    for case_id, event in keyed:
        if isinstance(event, Submitted):
            new[case_id] = _submitted(case_id, event)
            continue
        row = new.get(case_id) or changed.get(case_id)
        if row is None:
            stored = known[case_id]
            row = changed[case_id] = {
                "case_id": case_id,
                **{name: stored[name] for name in ("status", "resolution", "escalated")},
            }
        statuses.after(case_id, row, event)
        row.update(
            escalated=row["escalated"] or isinstance(event, Escalated),
            version=event.originator_version,
            updated_at=event.occurred_at,
            next_due_at=next_due(event),
        )
    rows.insert(case_list, list(new.values()))
    rows.update(case_list, ["case_id"], list(changed.values()))


def _submitted(case_id: str, event: Submitted) -> Row:
    return {
        "case_id": case_id,
        "platform": event.platform,
        "store_id": event.store_id,
        "consumer_id": event.consumer_id,
        "kind": event.kind,
        "status": Status.AWAITING_STORE,
        "resolution": None,
        "escalated": False,
        "version": event.originator_version,
        "created_at": event.occurred_at,
        "updated_at": event.occurred_at,
        "next_due_at": next_due(event),
        "order_reference": _reference(event.order),
    }


def _reference(order: dict[str, Any]) -> str | None:
    reference = order.get("reference")
    return str(reference)[:200] if reference is not None else None
