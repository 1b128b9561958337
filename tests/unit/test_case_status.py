"""The case status machine of SPEC.md ("Case status") and the events every platform shares."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support.builders import (
    CONSUMER,
    MONDAY,
    STAFF,
    STORE,
    by,
    fire,
    kinds,
    last,
    policy,
    refused,
    submit,
)

from domain import case_events, statuses
from domain.case import Case
from domain.money import Money

BIGGREY, GLOBALBUY, GELI = policy("biggrey"), policy("globalbuy"), policy("geli")
SOON = MONDAY + timedelta(hours=2)
LATER = MONDAY + timedelta(hours=4)


def test_the_statuses_are_those_of_the_spec() -> None:
    assert set(statuses.STATUSES) == {
        "awaiting_store",
        "in_progress",
        "awaiting_consumer",
        "closed",
        "escalated",
        "withdrawn",
        "suspended",
    }


@pytest.mark.parametrize(
    "name",
    [
        "Submitted",
        "Reminded",
        "Warned",
        "Escalated",
        "StoreClosed",
        "ConsumerRejected",
        "Refunded",
        "StoreResponded",
        "MessagePosted",
        "ConsumerApproved",
        "AutoApproved",
        "Closed",
        "Withdrawn",
        "Suspended",
        "Resumed",
        "DecisionMade",
        "ReturnShipped",
        "ReturnReceived",
    ],
)
def test_every_event_of_the_spec_is_an_immutable_case_event(name: str) -> None:
    event_class = getattr(case_events, name)
    assert issubclass(event_class, case_events.CaseEvent)
    assert event_class.__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_a_new_case_awaits_the_store() -> None:
    case = submit("biggrey", "warranty_claim")
    assert (case.status, case.version, case.created_at) == ("awaiting_store", 1, MONDAY)


def test_a_store_response_puts_the_case_in_progress() -> None:
    case = submit("biggrey", "warranty_claim")
    case.respond(BIGGREY, by(STORE, SOON), "we will look")
    assert case.status == "in_progress"
    assert case.messages[0]["body"] == "we will look"


def test_a_store_close_awaits_the_consumer_who_may_approve_or_reject() -> None:
    case = submit("biggrey", "warranty_claim")
    case.store_close(BIGGREY, by(STORE, SOON), "replace")
    assert case.status == "awaiting_consumer"
    case.reject(BIGGREY, by(CONSUMER, LATER), "the replacement is also broken")
    assert case.status == "in_progress"  # a rejection returns the case to the store
    case.store_close(BIGGREY, by(STORE, LATER + timedelta(hours=1)), "refund")
    case.approve(BIGGREY, by(CONSUMER, LATER + timedelta(hours=2)))
    assert (case.status, case.resolution) == ("closed", "agreed")


@pytest.mark.parametrize(
    ("decision", "status"),
    [
        ("approve", "in_progress"),
        ("refuse", "awaiting_consumer"),
        ("reship", "awaiting_consumer"),
        ("refund_only", "closed"),
    ],
)
def test_a_store_decision_sets_the_status(decision: str, status: str) -> None:
    case = submit("geli", "return_request")
    case.decide(GELI, by(STORE, SOON), decision)
    assert case.status == status


@pytest.mark.parametrize(
    ("setup", "resolution"),
    [
        ("auto_approved", "auto_approved"),
        ("refunded", "refunded"),
        ("consumer_gave_up", "consumer_gave_up"),
        ("consumer_closed", "consumer_closed"),
    ],
)
def test_each_way_of_ending_closes_the_case(setup: str, resolution: str) -> None:
    case: Case
    if setup == "auto_approved":
        case = submit("globalbuy", "refund_only")
        fire(case, "merchant_decision")
    elif setup == "refunded":
        case = submit("bigben", "complaint")
        case.refund(policy("bigben"), by(STORE, SOON), Money.of("100.00", "USD"), "store")
    elif setup == "consumer_gave_up":
        case = submit("geli", "return_request")
        case.decide(GELI, by(STORE, SOON), "approve")
        fire(case, "return_shipment")
    else:
        case = submit("biggrey", "warranty_claim")
        while "consumer_close" in kinds(case):
            fire(case, min(case.deadlines, key=lambda d: d.due_at).kind)
        case.consumer_close(BIGGREY, by(CONSUMER, MONDAY + timedelta(days=31)))
    assert (case.status, case.resolution, case.deadlines) == ("closed", resolution, [])


def test_staff_escalation_hands_the_case_to_staff() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.escalate(BIGGREY, by(STAFF, SOON), "consumer called")
    escalated = last(case, "Escalated")
    assert (escalated.reason, escalated.note) == ("staff_request", "consumer called")
    assert case.status == "escalated"
    assert kinds(case) == {"protection"}  # the store's response clocks stop


def test_biggrey_consumer_may_escalate_their_case() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.escalate(BIGGREY, by(CONSUMER, SOON))
    assert (last(case, "Escalated").reason, case.status) == ("consumer_request", "escalated")


def test_an_escalated_case_may_still_be_answered_and_closed_by_the_store() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.escalate(BIGGREY, by(STAFF, SOON))
    case.respond(BIGGREY, by(STORE, LATER))
    assert case.status == "escalated"
    case.store_close(BIGGREY, by(STORE, LATER), "repair")
    assert case.status == "awaiting_consumer"


def test_a_withdrawn_case_ends_without_deadlines() -> None:
    case = submit("biggrey", "warranty_claim")
    case.withdraw(BIGGREY, by(CONSUMER, SOON), "solved in the shop")
    assert (case.status, case.resolution, case.deadlines) == ("withdrawn", "withdrawn", [])


@pytest.mark.parametrize("previous", ["awaiting_store", "in_progress", "escalated"])
def test_resuming_restores_the_status_before_the_suspension(previous: str) -> None:
    case = submit("globalbuy", "return_request")
    if previous == "in_progress":
        case.decide(GLOBALBUY, by(STORE, SOON), "approve")
    elif previous == "escalated":
        case.escalate(GLOBALBUY, by(STAFF, SOON))
    case.suspend(GLOBALBUY, by(STAFF, LATER), "judicial")
    assert case.status == "suspended"
    case.post_message(GLOBALBUY, by(CONSUMER, LATER), "any news?")  # allowed while suspended
    case.resume(GLOBALBUY, by(STAFF, LATER + timedelta(days=1)))
    assert case.status == previous


def test_messages_are_kept_in_order_with_author_and_language() -> None:
    case = submit("biggrey", "warranty_claim")
    case.post_message(BIGGREY, by(CONSUMER, SOON), "Hallo", "de")
    case.post_message(BIGGREY, by(STORE, LATER), "Hello", "en", attachments=["upload/1.jpg"])
    assert [
        (m["author"]["role"], m["body"], m["language"], m["attachments"]) for m in case.messages
    ] == [("consumer", "Hallo", "de", []), ("store", "Hello", "en", ["upload/1.jpg"])]


def test_a_closed_case_accepts_messages_only() -> None:
    case = submit("globalbuy", "refund_only")
    fire(case, "merchant_decision")
    refused("not_allowed_in_status", case, case.withdraw, GLOBALBUY, by(CONSUMER, LATER))
    case.post_message(GLOBALBUY, by(CONSUMER, LATER), "thank you")
    assert (case.status, case.messages[-1]["body"]) == ("closed", "thank you")
