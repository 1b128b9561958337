"""Plain-data views of a case and its events, shared by the API, the CLI and the notifier.

`CasePublic` is the one definition of a case answer: `case_state` reads exactly its fields
from the aggregate (an attribute of the same name unless `DERIVED` says otherwise), so a new
field added to the model appears in every answer (the route's, the hot path's), in OpenAPI and
on the dashboard's case page, and nowhere can an answer carry a field the schema lacks.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from pydantic import AwareDatetime, BaseModel, Field

from domain.case import Case
from domain.case_events import CaseEvent, SubjectErased, ending_resolution
from domain.languages import same_language
from domain.sealing import ERASED
from domain.statuses import Resolution, Status
from domain.translations import TranslationEvent, Translations


class DeadlinePublic(BaseModel):
    id: str
    kind: str
    due_at: AwareDatetime
    action: str


class PausedDeadline(BaseModel):
    id: str
    kind: str
    action: str
    remaining_seconds: int


class RefundPublic(BaseModel):
    amount: str
    currency: str
    payer: str
    reason: str
    at: AwareDatetime


class OrderPublic(BaseModel):
    reference: str
    amount: str
    currency: str
    completed_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    warehouse_arrived_at: AwareDatetime | None = Field(
        None, description="buyippee: the parcel reached the overseas warehouse (absent: not given)"
    )
    registered_at: AwareDatetime | None = Field(
        None, description="buyippee: parcel registered (absent: not given)"
    )


class TranslationPublic(BaseModel):
    language: str
    body: str
    engine: str


class MessagePublic(BaseModel):
    id: int = Field(description="the case version that recorded the message")
    author: dict[str, str] = Field(description="{role, id}")
    body: str
    language: str | None
    attachments: list[str]
    at: AwareDatetime
    translations: list[TranslationPublic]
    display_body: str | None = Field(
        None,
        description="the body in the language asked for (?lang= or Accept-Language), "
        "translated where a translation exists; absent when none is asked for",
    )


class ReturnShipmentPublic(BaseModel):
    carrier: str
    waybill: str
    shipped_at: AwareDatetime


class ProposalPublic(BaseModel):
    decision: str
    note: str | None
    refund_amount: str | None


class RulingPublic(BaseModel):
    in_favour_of: str
    refund_amount: str | None
    payer: str | None
    note: str
    at: AwareDatetime


class SettlementPublic(BaseModel):
    reference: str
    at: AwareDatetime


class CasePublic(BaseModel):
    """A case as every answer gives it: POST /v1/cases, GET /v1/cases/{id}, each command."""

    id: str
    platform: str
    policy_version: int = Field(description="the platform policy version the case follows")
    store_id: str
    consumer_id: str
    subject_id: str = Field(
        description="the consumer as a data subject: the id for /v1/subjects/{subject_id} "
        "(erasure, export); every case of one consumer on one platform shares it"
    )
    kind: str
    status: Status
    version: int
    order: OrderPublic
    description: str = Field(
        description='personal data: "[erased]" once the subject is erased, "[unavailable]" '
        "while its key cannot be read"
    )
    language: str | None
    fields: dict[str, Any] = Field(description="the platform's own filing fields, as given")
    certified_store: bool = Field(description="the store was certified when the case was filed")
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deadlines: list[DeadlinePublic]
    paused_deadlines: list[PausedDeadline] = Field(
        description="while suspended: each deadline and the time it had left"
    )
    refunds: list[RefundPublic]
    messages: list[MessagePublic]
    text_translations: dict[str, list[TranslationPublic]] = Field(
        description="translations of the other texts by text id (Submitted:1: the "
        "description; StoreClosed:N: a close note; ConsumerRejected:N: an explanation)",
    )
    display_description: str | None = Field(
        None,
        description="the description in the language asked for; absent when none is asked for",
    )
    reminders: int
    warnings: int
    consumer_may_close: bool
    last_decision: str | None
    refund_without_return: bool | None = Field(
        description="near-expiry goods are refunded without a return (null: not near-expiry)"
    )
    return_shipment: ReturnShipmentPublic | None = Field(
        description="the consumer's return parcel, once shipped"
    )
    return_received: bool = Field(description="the store has the returned goods back")
    resolution: Resolution | None = Field(description="how the case ended; null while it goes on")
    escalated: bool = Field(description="staff have had the case")
    proposal: ProposalPublic | None = Field(description="what the consumer is asked to approve")
    ruling: RulingPublic | None
    settlement: SettlementPublic | None
    head_hash: str


# Fields read otherwise than as the aggregate's attribute of the same name.
DERIVED: dict[str, Callable[[Case], Any]] = {
    "id": lambda case: str(case.id),
    "certified_store": attrgetter("certified"),
    "deadlines": lambda case: [d.as_dict() for d in case.deadlines],
    "messages": lambda case: [{**m, "translations": []} for m in case.messages],
    "text_translations": lambda case: {},
}
# Fields only an answer in a reader's language holds (`with_display` adds them).
DISPLAY_ONLY = frozenset({"display_description"})
_READERS = tuple(
    (name, DERIVED.get(name) or attrgetter(name))
    for name in CasePublic.model_fields
    if name not in DISPLAY_ONLY
)
assert set(DERIVED) <= set(CasePublic.model_fields)


def case_state(case: Case) -> dict[str, Any]:
    """The case as `CasePublic` defines it (plain data: serialised without pydantic, whose
    validation would double the cost of the hottest read)."""
    return {name: read(case) for name, read in _READERS}


def erased_keys(events: list[CaseEvent]) -> frozenset[str]:
    """The subject keys the case's `SubjectErased` events shredded."""
    return frozenset(k for e in events if isinstance(e, SubjectErased) for k in e.key_ids)


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


def with_translations(state: dict[str, Any], translations: Translations | None) -> dict[str, Any]:
    """The case body with each message's translations, and those of the other texts
    (description, notes, explanations) under `text_translations` by text id."""
    if translations is None:
        return state
    for message in state["messages"]:
        message["translations"] = translations.for_message(str(message["id"]))
    others: dict[str, list[dict[str, Any]]] = {}
    for message_id, _language in translations.settled:
        if ":" not in message_id or int(message_id.rsplit(":", 1)[1]) > state["version"]:
            continue  # a message's, or a text the state asked for (a past one) does not hold
        if found := translations.for_message(message_id):
            others[message_id] = found
    state["text_translations"] = others
    return state


def with_display(state: dict[str, Any], language: str) -> dict[str, Any]:
    """Add `display_body` to each message (and `display_description`): the text in
    `language` where a translation exists, else as written."""
    for message in state["messages"]:
        message["display_body"] = _in_language(message["body"], message["translations"], language)
    described = state["text_translations"].get("Submitted:1", [])
    state["display_description"] = _in_language(state["description"], described, language)
    return state


def _in_language(body: str, translations: list[dict[str, Any]], language: str) -> str:
    # A translation first: the translator found the text was not in that language, whatever
    # language the message was labelled with (a store's response carries the case's).
    found = next((t for t in translations if same_language(t["language"], language)), None)
    if found is not None:
        return str(found["body"])
    return body  # as written: in that language already, or not translated (yet)


def translation_entry(event: TranslationEvent, case_version: int) -> dict[str, Any]:
    """A translation in a case's history: `version` is the case's version when it was
    recorded; `chain` and `chain_version` place it in the translations' own hash chain."""
    return {
        "version": case_version,
        "type": type(event).__name__,
        "occurred_at": event.occurred_at,
        "recorded_at": event.timestamp,
        "actor": event.actor,
        "data": {k: v for k, v in event.data.items() if k != "case_id"},
        "deadlines": [],
        "hash": event.hash,
        "prev_hash": event.prev_hash,
        "chain": "translations",
        "chain_version": event.originator_version,
    }


def merged_history(
    events: list[CaseEvent], translations: list[TranslationEvent]
) -> list[dict[str, Any]]:
    """The case's events and its translations in the order they were recorded (a
    translation always follows the text it translates)."""
    entries: list[dict[str, Any]] = []
    pending = list(translations)
    version = 0
    for event in events:
        while pending and pending[0].timestamp < event.timestamp:
            entries.append(translation_entry(pending.pop(0), version))
        entries.append(history_entry(event))
        version = event.originator_version
    entries.extend(translation_entry(t, version) for t in pending)
    return entries


def without_plain_translations(state: dict[str, Any]) -> dict[str, Any]:
    """After an erasure: translations recorded before sealing existed hold plain text, and
    an aggregate cached before the erasure may still hold it; every such body is erased."""

    def erased(found: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {**t, "body": ERASED} if type(t.get("body")) is str else t  # Sealed: scrubbed
            for t in found
        ]

    for message in state["messages"]:
        message["translations"] = erased(message["translations"])
    state["text_translations"] = {k: erased(v) for k, v in state["text_translations"].items()}
    return state
