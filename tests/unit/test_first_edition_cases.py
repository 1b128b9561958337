"""Cases recorded before resolutions were named still load, replay and verify; their
resolution is derived from their history (issue: "old events still read")."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

from eventsourcing.persistence import StoredEvent
from support.builders import (
    CONSUMER,
    MONDAY,
    STAFF,
    STORE,
    by,
    events,
    fire,
    library_mapper,
    policy,
    submit,
)

from domain.case import Case, verify_chain
from domain.case_events import AutoApproved, CaseEvent, Refunded, Suspended
from domain.money import Money
from domain.store import Store

# What each event class held before its version 2, field by field.
FIRST_EDITION = {
    "Refunded": ("resolution", "awaits_consumer"),
    "AutoApproved": ("resolution",),
    "Suspended": ("note",),
}


def as_first_edition(stored: StoredEvent) -> StoredEvent:
    name = stored.topic.rsplit(":", 1)[-1]
    if name not in FIRST_EDITION:
        return stored
    state = json.loads(stored.state)
    assert state.pop("class_version") == 2
    for field in FIRST_EDITION[name]:
        del state[field]
    return replace(stored, state=json.dumps(state).encode())


def replay_as_stored_then(case: Case) -> tuple[list[CaseEvent], Case]:
    mapper = library_mapper()
    stored = [as_first_edition(mapper.to_stored_event(e)) for e in events(case)]
    loaded = [e for e in (mapper.to_domain_event(s) for s in stored) if isinstance(e, CaseEvent)]
    replayed: Any = None
    for event in loaded:
        replayed = event.mutate(replayed)
    assert isinstance(replayed, Case)
    return loaded, replayed


def refunded_in_full() -> Case:
    """What a first-edition refund did: it ended the case as `refunded`."""
    case = submit("bigben", "complaint")
    case.refund(policy("bigben"), by(STORE, MONDAY), Money.of("100.00", "USD"), "store")
    return case


def suspended_and_resumed() -> Case:
    case = submit("globalbuy", "return_request")
    case.suspend(policy("globalbuy"), by(STAFF, MONDAY + timedelta(hours=1)), "judicial")
    case.resume(policy("globalbuy"), by(STAFF, MONDAY + timedelta(hours=2)))
    return case


def test_a_first_edition_full_refund_replays_as_refunded_and_its_chain_verifies() -> None:
    original = refunded_in_full()
    loaded, replayed = replay_as_stored_then(original)
    assert (replayed.status, replayed.resolution) == ("closed", "refunded")
    # A refund that ends the case hashes exactly as the first edition's did.
    assert verify_chain(loaded) == verify_chain(events(original))
    assert verify_chain(loaded)[0]


def test_a_first_edition_auto_approval_ended_the_case_and_still_does_when_read() -> None:
    case = submit("globalbuy", "return_request")
    fire(case, "merchant_decision")  # today: the return goes on
    assert case.status == "in_progress"
    loaded, replayed = replay_as_stored_then(case)
    # Recorded back then, the same event closed the case: history is not rewritten.
    assert next(e for e in loaded if isinstance(e, AutoApproved)).resolution == "auto_approved"
    assert (replayed.status, replayed.resolution) == ("closed", "auto_approved")


def test_a_first_edition_refund_always_ended_the_case() -> None:
    case = submit("globalbuy", "return_request")
    case.refund(policy("globalbuy"), by(STORE, MONDAY), Money.of("10", "USD"), "store")
    assert case.status == "awaiting_consumer"  # today: a partial refund waits for the consumer
    loaded, replayed = replay_as_stored_then(case)
    assert next(e for e in loaded if isinstance(e, Refunded)).resolution == "refunded"
    assert (replayed.status, replayed.resolution) == ("closed", "refunded")


def test_a_first_edition_suspension_had_a_free_text_reason_and_no_note() -> None:
    loaded, replayed = replay_as_stored_then(suspended_and_resumed())
    assert next(e for e in loaded if isinstance(e, Suspended)).note is None
    assert replayed.status == "awaiting_store"
    assert verify_chain(loaded)[0]


def test_a_first_edition_approval_reads_as_agreed() -> None:
    case = submit("biggrey", "warranty_claim")
    case.store_close(policy("biggrey"), by(STORE, MONDAY), "repair")
    case.approve(policy("biggrey"), by(CONSUMER, MONDAY + timedelta(hours=1)))
    _loaded, replayed = replay_as_stored_then(case)
    assert replayed.resolution == "agreed"  # it was recorded as "consumer_approved" then


def test_a_store_registered_before_subdivisions_and_languages_still_loads() -> None:
    store = Store(
        store_id="s1",
        platform="biggrey",
        name="Old shop",
        certified=True,
        country="GB",
        timezone="Europe/London",
        occurred_at=MONDAY,
        actor={"role": "admin", "id": "a"},
    )
    store.warn("case-1", MONDAY, {"role": "system", "id": "scheduler"})
    mapper = library_mapper()
    stored = []
    for event in store.collect_events():
        state = json.loads(mapper.to_stored_event(event).state)
        for added in ("subdivision", "language", "reason"):
            state.pop(added, None)
        stored.append(replace(mapper.to_stored_event(event), state=json.dumps(state).encode()))
    replayed: Any = None
    for event in (mapper.to_domain_event(s) for s in stored):
        replayed = event.mutate(replayed)
    assert (replayed.subdivision, replayed.language, replayed.warnings_since_certified) == (
        None,
        None,
        1,
    )


def test_a_first_edition_protection_payout_reads_as_protection_refund() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    fire(case, "first_response")
    fire(case, "extra_time")
    fire(case, "protection")
    _loaded, replayed = replay_as_stored_then(case)
    assert replayed.resolution == "protection_refund"  # recorded without a resolution then
