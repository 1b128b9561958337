"""Bigben Connected (PLATFORMS.md, seed 001): one test per rule row."""

from __future__ import annotations

from datetime import UTC, timedelta

import pytest
from support.builders import (
    MONDAY,
    PARIS,
    STORE,
    by,
    deadline,
    fire,
    kinds,
    last,
    local,
    order,
    policy,
    refused,
    submit,
)

from domain.case import Case
from domain.money import Money

BIGBEN = policy("bigben")


@pytest.mark.parametrize("kind", ["return_request", "warranty_claim", "complaint"])
def test_bigben_offers_withdrawals_warranty_claims_and_complaints(kind: str) -> None:
    assert submit("bigben", kind).status == "awaiting_store"


@pytest.mark.parametrize("kind", ["exchange_request", "seven_day_return"])
def test_bigben_refuses_kinds_it_does_not_list(kind: str) -> None:
    refused("kind_not_offered", None, submit, "bigben", kind)


# -- withdrawal (rétractation) -----------------------------------------------------------------


def received(days_before: float, kind: str = "return_request") -> Case:
    parcel = MONDAY - timedelta(days=days_before)
    return submit("bigben", kind, the_order=order("59.90", "EUR", delivered_at=parcel))


def test_bigben_withdrawal_must_be_filed_within_30_days_of_receiving_the_parcel() -> None:
    assert received(30).kind == "return_request"  # exactly 720 hours
    refused("filing_window", None, received, 30 + 1 / 86400)


def test_bigben_withdrawal_needs_the_delivery_time() -> None:
    error = refused(
        "invalid_field",
        None,
        submit,
        "bigben",
        "return_request",
        the_order=order(completed_at=MONDAY),
    )
    assert error.field == "order.delivered_at"  # type: ignore[attr-defined]


def test_bigben_warranty_claims_have_no_30_day_window() -> None:
    assert received(400, kind="warranty_claim").kind == "warranty_claim"


# -- customer-service reply --------------------------------------------------------------------


def filed(at: tuple[int, int, int, int], kind: str = "warranty_claim") -> Case:
    return submit("bigben", kind, at=local(*at, zone=PARIS))


def test_bigben_reply_clock_stops_on_weekends_friday_1800_due_monday_1800() -> None:
    case = filed((2026, 11, 20, 18))
    assert deadline(case, "reply").due_at == local(2026, 11, 23, 18, zone=PARIS)


def test_bigben_reply_clock_stops_on_french_public_holidays() -> None:
    case = filed((2026, 11, 10, 18))  # Wednesday 11 November is Armistice Day
    assert deadline(case, "reply").due_at == local(2026, 11, 12, 18, zone=PARIS)


def test_bigben_reply_clock_that_runs_out_at_midnight_is_due_at_that_midnight() -> None:
    case = filed((2026, 11, 20, 0))  # all of Friday: due at the midnight that ends it
    assert deadline(case, "reply").due_at == local(2026, 11, 21, zone=PARIS)


def test_bigben_reply_clock_counts_elapsed_hours_across_the_autumn_clock_change() -> None:
    # Friday 23 October 18:00 CEST; the clocks go back on Sunday 25 October (no work day).
    case = filed((2026, 10, 23, 18))
    assert deadline(case, "reply").due_at == local(2026, 10, 26, 18, zone=PARIS)


def test_bigben_missed_reply_sends_a_reminder() -> None:
    case = filed((2026, 11, 20, 18))
    reply = fire(case, "reply")
    reminded = last(case, "Reminded")
    assert (reminded.deadline_id, reminded.count) == (reply.id, 1)
    assert case.status == "awaiting_store"


def test_bigben_store_reply_stops_the_reply_clock() -> None:
    case = filed((2026, 11, 20, 18))
    case.respond(BIGBEN, by(STORE, local(2026, 11, 23, 9, zone=PARIS)), "Bonjour")
    assert case.deadlines == []


# -- refund after a valid return ---------------------------------------------------------------


def returned(at: tuple[int, int, int, int]) -> Case:
    case = received(3)
    case.receive_return(BIGBEN, by(STORE, local(*at, zone=PARIS)))
    return case


def test_bigben_refund_is_due_14_days_336_hours_after_the_return_is_received() -> None:
    case = returned((2026, 11, 25, 10))
    assert deadline(case, "refund").due_at == local(2026, 12, 9, 10, zone=PARIS)


def test_bigben_refund_deadline_is_elapsed_time_even_across_the_clock_change() -> None:
    case = returned((2026, 10, 20, 10))  # CEST; the due time falls in CET
    refund = deadline(case, "refund")
    received_at = local(2026, 10, 20, 10, zone=PARIS).astimezone(UTC)
    assert refund.due_at == received_at + timedelta(hours=336)
    assert refund.due_at == local(2026, 11, 3, 9, zone=PARIS)


def test_bigben_late_refund_is_escalated() -> None:
    case = returned((2026, 11, 25, 10))
    refund = fire(case, "refund")
    escalated = last(case, "Escalated")
    assert (escalated.reason, escalated.deadline_id) == ("sla_missed", refund.id)
    assert case.status == "escalated"


def test_bigben_refund_stops_the_refund_clock() -> None:
    case = returned((2026, 11, 25, 10))
    case.refund(
        BIGBEN, by(STORE, local(2026, 11, 27, 10, zone=PARIS)), Money.of("59.90", "EUR"), "store"
    )
    assert (case.status, case.deadlines) == ("closed", [])
    assert "refund" not in kinds(case)


def test_bigben_calendar_is_france_in_europe_paris() -> None:
    assert (BIGBEN.calendar.country, BIGBEN.calendar.timezone) == ("FR", "Europe/Paris")
