"""Plain-data views of a case and its events, shared by the API, the CLI and the notifier."""

from __future__ import annotations

from typing import Any

from domain.case import Case
from domain.case_events import CaseEvent, ending_resolution


def case_state(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "platform": case.platform,
        "policy_version": case.policy_version,
        "store_id": case.store_id,
        "consumer_id": case.consumer_id,
        "kind": case.kind,
        "status": case.status,
        "version": case.version,
        "order": case.order,
        "description": case.description,
        "language": case.language,
        "fields": case.fields,
        "certified_store": case.certified,
        "created_at": case.created_at,
        "updated_at": case.updated_at,
        "deadlines": [d.as_dict() for d in case.deadlines],
        "paused_deadlines": case.paused_deadlines,
        "refunds": case.refunds,
        "messages": case.messages,
        "reminders": case.reminders,
        "warnings": case.warnings,
        "consumer_may_close": case.consumer_may_close,
        "last_decision": case.last_decision,
        "refund_without_return": case.refund_without_return,
        "return_shipment": case.return_shipment,
        "return_received": case.return_received,
        "resolution": case.resolution,
        "escalated": case.escalated,
        "proposal": case.proposal,
        "ruling": case.ruling,
        "settlement": case.settlement,
        "head_hash": case.head_hash,
    }


def history_entry(event: CaseEvent) -> dict[str, Any]:
    """One event as history, the feed and webhooks show it; `resolution` names how the case
    ended when this event ended it (None: the case went on)."""
    name, data = type(event).__name__, event.data
    return {
        "version": event.originator_version,
        "type": name,
        "occurred_at": event.occurred_at,
        "recorded_at": event.timestamp,
        "actor": event.actor,
        "data": data,
        "resolution": ending_resolution(name, data),
        "deadlines": event.deadlines,
        "hash": event.hash,
        "prev_hash": event.prev_hash,
    }
