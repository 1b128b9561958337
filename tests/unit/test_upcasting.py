"""Stored events are never edited: old shapes are upcast when read, and still verify."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta

from eventsourcing.persistence import StoredEvent
from support.builders import CONSUMER, MONDAY, STORE, by, events, library_mapper, policy, submit

from domain.case import Case, verify_chain
from domain.case_events import CaseEvent, MessagePosted, hash_payload
from domain.hashchain import chain_hash

BIGGREY = policy("biggrey")


def as_version_1(stored: StoredEvent) -> StoredEvent:
    """What the store held before MessagePosted had attachments."""
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    del state["attachments"]
    return replace(stored, state=json.dumps(state).encode())


def case_with_a_message(attachments: list[str] | None = None) -> Case:
    case = submit("biggrey", "warranty_claim")
    case.post_message(
        BIGGREY,
        by(CONSUMER, MONDAY + timedelta(hours=1)),
        "photo to follow",
        "en",
        attachments=attachments or [],
    )
    case.respond(BIGGREY, by(STORE, MONDAY + timedelta(hours=2)), "thanks")
    return case


def round_trip(case: Case, *, old_messages: bool) -> list[CaseEvent]:
    mapper = library_mapper()
    stored = [mapper.to_stored_event(e) for e in events(case)]
    if old_messages:
        stored = [as_version_1(s) if s.topic.endswith(":MessagePosted") else s for s in stored]
    loaded = [mapper.to_domain_event(s) for s in stored]
    return [e for e in loaded if isinstance(e, CaseEvent)]


def test_message_posted_version_1_is_read_back_as_version_2_without_attachments() -> None:
    loaded = round_trip(case_with_a_message(), old_messages=True)
    message = next(e for e in loaded if isinstance(e, MessagePosted))
    assert MessagePosted.class_version == 2
    assert message.attachments == []
    assert message.data == {"body": "photo to follow", "language": "en", "attachments": []}


def test_a_case_with_version_1_messages_replays_and_its_chain_still_verifies() -> None:
    original = case_with_a_message()
    loaded = round_trip(original, old_messages=True)
    assert verify_chain(loaded) == verify_chain(events(original))
    assert verify_chain(loaded)[0]
    replayed = None
    for event in loaded:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Case)
    assert replayed.messages[0]["attachments"] == []
    assert replayed.head_hash == original.head_hash


def test_a_message_without_attachments_hashes_exactly_as_version_1_did() -> None:
    case = case_with_a_message()
    message = next(e for e in events(case) if isinstance(e, MessagePosted))
    v1_payload = hash_payload(
        "MessagePosted",
        case.id,
        message.originator_version,
        message.occurred_at,
        message.timestamp,
        message.actor,
        message.deadlines,
        {"body": "photo to follow", "language": "en"},
    )
    assert message.hash == chain_hash(message.prev_hash, v1_payload)


def test_attachments_of_a_version_2_message_are_covered_by_the_hash() -> None:
    case = case_with_a_message(["upload/receipt.pdf"])
    loaded = round_trip(case, old_messages=False)
    assert verify_chain(loaded)[0]
    message = next(e for e in loaded if isinstance(e, MessagePosted))
    assert message.attachments == ["upload/receipt.pdf"]
    object.__setattr__(message, "attachments", [])
    valid, checked, _ = verify_chain(loaded)
    assert (valid, checked) == (False, message.originator_version)
