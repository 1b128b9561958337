"""Plain-data views of a case and its events, shared by the API, the CLI and the notifier."""

from __future__ import annotations

from typing import Any

from domain.case import Case
from domain.case_events import CaseEvent, SubjectErased, ending_resolution
from domain.languages import same_language
from domain.sealing import ERASED
from domain.translations import TranslationEvent, Translations


def case_state(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "platform": case.platform,
        "policy_version": case.policy_version,
        "store_id": case.store_id,
        "consumer_id": case.consumer_id,
        "subject_id": case.subject_id,
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
        "messages": [{**m, "id": m["id"], "translations": []} for m in case.messages],
        "text_translations": {},
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
