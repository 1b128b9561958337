"""Geli (PLATFORMS.md, seed 003): one test per rule row."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from support.builders import (
    CONSUMER,
    MONDAY,
    SHANGHAI,
    STAFF,
    STORE,
    by,
    deadline,
    fire,
    kinds,
    last,
    local,
    policy,
    refused,
    submit,
)

from domain.calendar import BusinessCalendar
from domain.case import Case
from domain.money import Money

GELI = policy("geli")
FRESH = {"goods_category": "fresh_food"}


@pytest.mark.parametrize(
    "kind",
    ["return_request", "exchange_request", "refund_only", "seven_day_return", "warranty_claim"],
)
def test_geli_offers_its_five_kinds(kind: str) -> None:
    assert submit("geli", kind).status == "awaiting_store"


@pytest.mark.parametrize("kind", ["complaint", "counterfeit"])
def test_geli_refuses_kinds_it_does_not_list(kind: str) -> None:
    refused("kind_not_offered", None, submit, "geli", kind)


# -- merchant review ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kind", ["return_request", "exchange_request", "refund_only", "warranty_claim"]
)
def test_geli_merchant_review_is_48_hours(kind: str) -> None:
    case = submit("geli", kind)
    assert deadline(case, "review").due_at == MONDAY + timedelta(hours=48)


def test_geli_seven_day_return_review_is_24_hours() -> None:
    case = submit("geli", "seven_day_return")
    assert deadline(case, "review").due_at == MONDAY + timedelta(hours=24)


def fresh(at_local: tuple[int, int, int, int, int], kind: str = "return_request") -> Case:
    return submit("geli", kind, at=local(*at_local, zone=SHANGHAI), fields=FRESH)


@pytest.mark.parametrize(
    ("submitted", "due"),
    [
        ((2026, 11, 23, 10, 0), (2026, 11, 23, 12, 0)),  # inside the window
        ((2026, 11, 23, 6, 30), (2026, 11, 23, 10, 0)),  # before it opens
        ((2026, 11, 23, 21, 0), (2026, 11, 24, 9, 0)),  # 60 minutes today, 60 tomorrow
        ((2026, 11, 27, 21, 30), (2026, 11, 30, 9, 30)),  # Friday night to Monday morning
        ((2026, 11, 28, 15, 0), (2026, 11, 30, 10, 0)),  # filed on a Saturday
    ],
)
def test_geli_fresh_food_review_is_120_business_minutes(
    submitted: tuple[int, int, int, int, int], due: tuple[int, int, int, int, int]
) -> None:
    case = fresh(submitted)
    assert deadline(case, "review").due_at == local(*due, zone=SHANGHAI)


def test_merchant_missing_the_review_is_escalated_to_geli_staff() -> None:
    case = submit("geli", "return_request")
    review = fire(case, "review")
    escalated = last(case, "Escalated")
    assert (escalated.reason, escalated.deadline_id) == ("sla_missed", review.id)
    assert case.status == "escalated"


# -- review outcomes ---------------------------------------------------------------------------


def decided(decision: str, kind: str = "return_request") -> Case:
    case = submit("geli", kind)
    case.decide(GELI, by(STORE, MONDAY + timedelta(hours=1)), decision)
    return case


def test_review_decision_stops_the_review_clock() -> None:
    assert "review" not in kinds(decided("approve"))


@pytest.mark.parametrize(
    ("decision", "status", "resolution"),
    [
        ("approve", "in_progress", None),
        ("refuse", "awaiting_consumer", None),
        ("refund_only", "closed", "refunded"),
        ("reship", "awaiting_consumer", None),
    ],
)
def test_geli_review_outcomes(decision: str, status: str, resolution: str | None) -> None:
    case = decided(decision)
    assert last(case, "DecisionMade").decision == decision
    assert (case.status, case.resolution) == (status, resolution)


def test_reship_offline_closes_when_the_consumer_approves() -> None:
    case = decided("reship")
    case.approve(GELI, by(CONSUMER, MONDAY + timedelta(days=2)))
    assert (case.status, case.resolution) == ("closed", "agreed")


def test_consumer_ships_the_return_within_seven_days_of_approval_or_gives_up() -> None:
    case = decided("approve")
    approved_at = last(case, "DecisionMade").occurred_at
    assert deadline(case, "return_shipment").due_at == approved_at + timedelta(hours=168)
    fire(case, "return_shipment")
    assert last(case, "Closed").reason == "consumer_gave_up"
    assert (case.status, case.resolution, case.deadlines) == ("closed", "consumer_gave_up", [])


def test_merchant_processes_the_return_within_ten_days_of_the_waybill_upload() -> None:
    case = decided("approve")
    shipped_at = MONDAY + timedelta(days=2)
    case.ship_return(GELI, by(CONSUMER, shipped_at), "SF Express", "SF123")
    assert case.return_shipment == {
        "carrier": "SF Express",
        "waybill": "SF123",
        "shipped_at": shipped_at,
    }
    assert kinds(case) == {"return_processing"}
    assert deadline(case, "return_processing").due_at == shipped_at + timedelta(hours=240)
    fire(case, "return_processing")
    assert (last(case, "Escalated").reason, case.status) == ("sla_missed", "escalated")


def test_merchant_processes_the_return_within_three_days_of_confirming_receipt() -> None:
    case = decided("approve")
    case.ship_return(GELI, by(CONSUMER, MONDAY + timedelta(days=2)), "SF Express", "SF123")
    received_at = MONDAY + timedelta(days=4)
    case.receive_return(GELI, by(STORE, received_at))
    assert kinds(case) == {"return_processing", "receipt_processing"}
    assert deadline(case, "receipt_processing").due_at == received_at + timedelta(hours=72)
    fire(case, "receipt_processing")
    assert case.status == "escalated"
    assert case.deadlines == []


def test_refund_after_the_return_stops_every_processing_clock() -> None:
    case = decided("approve")
    case.ship_return(GELI, by(CONSUMER, MONDAY + timedelta(days=2)), "SF Express", "SF123")
    case.receive_return(GELI, by(STORE, MONDAY + timedelta(days=4)))
    case.refund(GELI, by(STORE, MONDAY + timedelta(days=5)), Money.of("100", "USD"), "store")
    assert (case.status, case.deadlines) == ("closed", [])


def test_return_may_be_received_without_a_shipment_upload() -> None:
    case = decided("approve")
    case.receive_return(GELI, by(STORE, MONDAY + timedelta(days=3)))
    assert case.return_received
    assert kinds(case) == {"receipt_processing"}
    refused(
        "not_allowed_in_status",
        case,
        case.ship_return,
        GELI,
        by(CONSUMER, MONDAY + timedelta(days=3)),
        "SF",
        "SF1",
    )


def test_on_site_repair_is_completed_within_seven_days_of_the_request() -> None:
    case = decided("approve", kind="warranty_claim")
    submitted_at = last(case, "Submitted").occurred_at
    assert kinds(case) == {"onsite_repair"}  # no return to ship for an on-site repair
    # Counted from the request, not from the approval (2nd ed.).
    assert deadline(case, "onsite_repair").due_at == submitted_at + timedelta(hours=168)
    fire(case, "onsite_repair")
    assert case.status == "escalated"


def test_geli_may_refund_first_when_the_merchant_is_at_fault() -> None:
    case = submit("geli", "return_request")
    fire(case, "review")
    case.refund(
        GELI,
        by(STAFF, MONDAY + timedelta(days=3)),
        Money.of("100.00", "USD"),
        "platform",
        "refunded first; the merchant repays within 3 days",
    )
    refunded = last(case, "Refunded")
    assert (refunded.payer, refunded.reason) == (
        "platform",
        "refunded first; the merchant repays within 3 days",
    )
    assert "merchant repays within 3 days" in " ".join(GELI.notes)


@pytest.mark.parametrize(("step", "args"), [("ask_arbitration", ("why",)), ("suspend", ("court",))])
def test_geli_offers_no_arbitration_nor_judicial_suspension(step: str, args: Any) -> None:
    case = decided("refuse")
    refused(
        "step_not_offered",
        case,
        getattr(case, step),
        GELI,
        by(STAFF, MONDAY + timedelta(days=1)),
        *args,
    )


def test_geli_calendar_is_china_in_asia_shanghai_with_business_hours_8_to_22() -> None:
    spec = GELI.calendar
    assert (spec.country, spec.timezone) == ("CN", "Asia/Shanghai")
    assert [t.isoformat() for t in spec.business_hours] == ["08:00:00", "22:00:00"]


def test_a_case_keeps_the_business_hours_of_its_calendar() -> None:
    window = BusinessCalendar("CN", "Asia/Shanghai", time(9), time(18))
    case = submit("geli", "return_request", calendar=window)
    assert case.calendar == window  # deadlines armed later use the same window
