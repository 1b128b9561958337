"""What the case timeline page shows: every event with its hash-chain check, every deadline
with its explanation and outcome, the state as of one version beside the one before it, and
the refunds against the amount paid. Read from the event log, never from the read models, so
a staff member sees exactly what was recorded (and where it was altered)."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from projections.tables import case_list, store_scorecards
from services.application import CaseNotFound, Redress, StoreNotFound
from services.case_api.deps import Services

# Event data left off the time axis: bulky (the calendar, the policy's raw fields) or shown in
# the deadline list (deadline_id).
HIDDEN = {"calendar", "fields", "deadline_id"}
# State fields left out of the version view: shown elsewhere on the page or internal.
STATE_SKIPPED = {"id", "head_hash", "fields", "deadlines", "paused_deadlines"}


def chain_status(valid: bool, checked: int, version: int) -> str:
    """One event's link: verified, the first broken one, or unverifiable after a break."""
    if valid or version < checked:
        return "verified"
    return "broken" if version == checked else "after-break"


def event_rows(history: list[dict[str, Any]], verdict: dict[str, Any]) -> list[dict[str, Any]]:
    valid, checked = verdict["valid"], verdict["events"]
    return [
        {
            "version": entry["version"],
            "type": entry["type"],
            "actor": who(entry["actor"]),
            "occurred_at": entry["occurred_at"],
            "recorded_at": entry["recorded_at"],
            "data": {
                k: v
                for k, v in entry["data"].items()
                if k not in HIDDEN and v not in (None, "", [], {})
            },
            "resolution": entry["resolution"],
            "hash": entry["hash"],
            "chain": chain_status(valid, checked, entry["version"]),
        }
        for entry in history
    ]


def deadline_ids(history: list[dict[str, Any]]) -> list[str]:
    """Every deadline the case ever had, in the order they were set."""
    seen: dict[str, None] = {}
    for entry in history:
        for deadline in entry["deadlines"]:
            seen.setdefault(deadline["id"], None)
    return list(seen)


def deadlines(
    redress: Redress, case_id: UUID, history: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Each deadline the case ever had, explained (when set, due, outcome, why then)."""
    rows = []
    for deadline_id in deadline_ids(history):
        _parties, why = redress.explain_deadline(case_id, deadline_id)
        rows.append({**why, "pending": why["outcome"] == "pending"})
    return rows


def who(actor: Any) -> str:
    """An actor as `role id` (the log keeps {role, id})."""
    if isinstance(actor, dict):
        return " ".join(str(actor[k]) for k in ("role", "id") if actor.get(k))
    return str(actor)


def readable(name: str, value: Any) -> Any:
    """Messages as `n. role: body` lines; every other field as it is."""
    if name == "messages" and isinstance(value, list):
        return [f"{n}. {who(m.get('author'))}: {m.get('body')}" for n, m in enumerate(value, 1)]
    return value


def state_rows(state: dict[str, Any], before: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The state's fields, each marked changed when it differs from the version before."""
    return [
        {
            "name": name,
            "value": readable(name, value),
            "changed": before is not None and before.get(name) != value,
        }
        for name, value in state.items()
        if name not in STATE_SKIPPED
    ]


def refund_rows(state: dict[str, Any]) -> dict[str, Any]:
    """The refunds in order, each with the running total, against the amount paid."""
    paid = Decimal(str(state["order"].get("amount", "0")))
    currency = state["order"].get("currency", "")
    total, rows = Decimal(0), []
    for refund in state["refunds"]:
        same = refund["currency"] == currency
        total += Decimal(str(refund["amount"])) if same else 0
        rows.append({**refund, "running_total": total if same else None})
    return {"paid": paid, "currency": currency, "items": rows, "total": total, "left": paid - total}


def view(redress: Redress, case_id: UUID, version: int | None) -> dict[str, Any]:
    history = redress.history(case_id)
    latest = history[-1]["version"]
    chosen = min(max(version or latest, 1), latest)
    verdict = redress.verify(case_id)
    state = redress.get_case(case_id, version=chosen)
    before = redress.get_case(case_id, version=chosen - 1) if chosen > 1 else None
    current = state if chosen == latest else redress.get_case(case_id)
    return {
        "case": current,
        "events": event_rows(history, verdict),
        "verdict": verdict,
        "broken_at": None if verdict["valid"] else verdict["events"],
        "latest": latest,
        "version": chosen,
        "chosen_event": history[chosen - 1],
        "state": state_rows(state, before),
        "deadlines": deadlines(redress, case_id, history),
        "refunds": refund_rows(current),
    }


def when(value: datetime | str | None) -> str:
    if value is None:
        return "—"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M:%S %Z").strip()


SEARCH_LIMIT = 20


def search(svc: Services, q: str) -> dict[str, Any]:
    """Cases whose id or order reference is `q`; the store whose id is `q`, else those
    whose id contains it (from the read models)."""
    cases: list[dict[str, Any]] = []
    stores: list[str] = []
    if not q:
        return {"cases": cases, "stores": stores}
    try:
        case_id = UUID(q)
    except ValueError:
        case_id = None
    if case_id is not None:
        try:
            platform, store_id, _consumer = svc.redress.case_header(case_id)
            cases.append({"case_id": str(case_id), "platform": platform, "store_id": store_id})
        except CaseNotFound:
            pass
    try:
        svc.redress.get_store(q)
        return {"cases": cases, "stores": [q]}  # an exact store id, from the event log
    except StoreNotFound:
        pass
    svc.refresh_case_list()  # in step with the log, as GET /v1/cases is
    with svc.sync_engine.connect() as connection:
        cases += [
            dict(row._mapping)
            for row in connection.execute(
                select(case_list.c.case_id, case_list.c.platform, case_list.c.store_id)
                .where(case_list.c.order_reference == q)
                .order_by(case_list.c.created_at.desc())
                .limit(SEARCH_LIMIT)
            )
            if not cases or row.case_id != cases[0]["case_id"]
        ]
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    with svc.sync_engine.connect() as connection:
        stores = list(
            connection.execute(
                select(store_scorecards.c.store_id)
                .where(store_scorecards.c.store_id.like(pattern, escape="\\"))
                .order_by(store_scorecards.c.store_id)
                .limit(SEARCH_LIMIT)
            ).scalars()
        )
    return {"cases": cases, "stores": stores}


def show(value: Any) -> str:
    """A value as a person reads it: times in UTC, structures as compact JSON."""
    if isinstance(value, datetime):
        return when(value)
    if isinstance(value, dict | list):
        return json.dumps(value, default=str, ensure_ascii=False, separators=(", ", ": "))
    return "—" if value is None else str(value)
