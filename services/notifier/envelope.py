"""Events as the outside world sees them: CloudEvents 1.0 envelopes, and who may see each.

- `type`: `case.` + snake_case of the event's name (`case.store_closed`); a case's
  translations are case events to the outside world too (`case.message_translated`,
  `case.translation_failed`, subject the case); store events are `store.*` (`store.warned`,
  `store.certificate_revoked`); notices `webhook.endpoint_disabled`.
- `id`: `<aggregate id>:<version>`, stable for ever; it is also the Standard Webhooks
  `webhook-id`, so a receiver can drop a redelivery it has already seen.
- `subject`: the case id (the store id for store events, the endpoint id for notices);
  `time`: when it happened (`occurred_at`).
- `data` of a case event: `case_id`, `store_id`, `consumer_id` and the event as history shows
  it, whose `resolution` names how the case ended when this event ended it (else null).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson

from domain.case_events import CaseEvent, Submitted
from domain.translations import TranslationEvent
from services.case_view import history_entry
from services.notifier.notices import EndpointNotice

SPECVERSION = "1.0"
ENDPOINT_DISABLED = "webhook.endpoint_disabled"
AUDIT_CHECKPOINT = "audit.checkpoint"  # a signed checkpoint of the log (services.audit.publish)
_BOOKKEEPING = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic"})
_STORE_EVENTS = ("StoreRegistered", "StoreWarned", "CertificateRevoked", "CertificateGranted")


@dataclass(frozen=True)
class Scope:
    """Who may see an event: the parties of its case, or the stores it concerns."""

    kind: str  # case | store | webhook
    subject: str
    store_ids: tuple[str, ...] | None  # None: every store (an admin's endpoint)
    consumer_id: str | None = None


def snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def event_type(event: Any) -> str | None:
    """The feed type of a logged event, or None for events the outside world never sees."""
    name = type(event).__name__
    if isinstance(event, CaseEvent | TranslationEvent):
        return "case." + snake(name)
    if isinstance(event, EndpointNotice.Event):
        return ENDPOINT_DISABLED
    if name in _STORE_EVENTS:
        return "store." + snake(name.removeprefix("Store"))
    return None


def known_types() -> frozenset[str]:
    """Every type a subscription may name."""
    found: set[str] = set()
    pending: list[type] = [CaseEvent]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls is not CaseEvent and cls.__module__ == CaseEvent.__module__:
            found.add("case." + snake(cls.__name__))
    found.update("case." + snake(cls.__name__) for cls in TranslationEvent.__subclasses__())
    found.update("store." + snake(n.removeprefix("Store")) for n in _STORE_EVENTS)
    found.add(ENDPOINT_DISABLED)
    found.add(AUDIT_CHECKPOINT)
    return frozenset(found)


def scope_key(event: Any) -> UUID:
    """The aggregate whose scope an event has: its own, or for a translation its case's."""
    if isinstance(event, TranslationEvent):
        return event.case_id
    key: UUID = event.originator_id
    return key


def event_id(event: Any) -> str:
    return f"{event.originator_id}:{event.originator_version}"


def own_scope(event: Any) -> Scope | None:
    """The scope an event states itself (a creation event), else None: look it up."""
    if isinstance(event, Submitted):
        return Scope("case", str(event.originator_id), (event.store_id,), event.consumer_id)
    if type(event).__name__ == "StoreRegistered":
        return Scope("store", event.store_id, (event.store_id,))
    if isinstance(event, EndpointNotice.Event):
        notice: Any = event
        stores = tuple(notice.store_ids) if notice.store_ids is not None else None
        return Scope("webhook", notice.endpoint_id, stores)
    return None


def envelope(event: Any, scope: Scope) -> dict[str, Any]:
    """The CloudEvents envelope of an event whose scope is known."""
    kind = event_type(event)
    assert kind is not None, type(event).__name__
    if isinstance(event, CaseEvent):
        data = {
            "case_id": scope.subject,
            "store_id": scope.store_ids[0] if scope.store_ids else None,
            "consumer_id": scope.consumer_id,
            **history_entry(event),
        }
        time, source = event.occurred_at, f"/v1/cases/{scope.subject}"
    elif isinstance(event, TranslationEvent):
        data = {
            "case_id": scope.subject,
            "store_id": scope.store_ids[0] if scope.store_ids else None,
            "consumer_id": scope.consumer_id,
            "type": type(event).__name__,
            **{k: v for k, v in event.data.items() if k != "case_id"},
            "occurred_at": event.occurred_at,
            "recorded_at": event.timestamp,
            "actor": event.actor,
            "hash": event.hash,
            "prev_hash": event.prev_hash,
            "chain_version": event.originator_version,
        }
        time, source = event.occurred_at, f"/v1/cases/{scope.subject}"
    else:
        data = {k: v for k, v in vars(event).items() if k not in _BOOKKEEPING}
        if kind.startswith("store."):
            data["store_id"] = scope.subject
            source = f"/v1/stores/{scope.subject}"
        else:
            source = f"/v1/webhooks/{scope.subject}"
        time = getattr(event, "occurred_at", event.timestamp)
    return {
        "specversion": SPECVERSION,
        "id": event_id(event),
        "source": source,
        "type": kind,
        "subject": scope.subject,
        "time": time,
        "datacontenttype": "application/json",
        "data": data,
    }


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def dumps(value: Any) -> bytes:
    return orjson.dumps(value, default=_default)


def matches(event_types: list[str], kind: str) -> bool:
    """Whether a subscription's types (`*`, `case.*`, or exact types) include `kind`."""
    for wanted in event_types:
        if wanted == "*" or wanted == kind:
            return True
        if wanted.endswith(".*") and kind.startswith(wanted[:-1]):
            return True
    return False
