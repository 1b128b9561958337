"""Buyippee shipping protection (PLATFORMS.md, seed 004): one test per rule row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from support.builders import (
    CONSUMER,
    HONG_KONG,
    MONDAY,
    STAFF,
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
from domain.money import ExchangeRates, Money
from domain.protection import plan_fee

BUYIPPEE = policy("buyippee")


def claim(
    plan: str | None = None,
    receipt: str = "1000.00",
    declared: str | None = None,
    *,
    kind: str = "lost_parcel",
    currency: str = "HKD",
    delivered_days_before: float = 1,
    fields: dict[str, Any] | None = None,
) -> Case:
    delivered = MONDAY - timedelta(days=delivered_days_before)
    return submit(
        "buyippee",
        kind,
        the_order=order(receipt, currency, delivered_at=delivered),
        fields=fields
        if fields is not None
        else {
            # A return request is free only on Plus and Super Care.
            "plan": plan or ("plus" if kind == "return_request" else "basic"),
            "declared_value": declared or receipt,
        },
    )


def platform_refund(
    case: Case, amount: str, currency: str = "HKD", rates: ExchangeRates | None = None
) -> None:
    case.refund(
        BUYIPPEE,
        by(STAFF, MONDAY + timedelta(days=2)),
        Money.of(amount, currency),
        "platform",
        rates=rates or ExchangeRates({}),
    )


# -- kinds and windows -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lost_parcel", "damaged_parcel", "return_request"])
def test_buyippee_offers_lost_and_damaged_parcel_claims_and_return_requests(kind: str) -> None:
    assert claim(kind=kind).kind == kind


@pytest.mark.parametrize("kind", ["warranty_claim", "complaint"])
def test_buyippee_refuses_kinds_it_does_not_list(kind: str) -> None:
    refused("kind_not_offered", None, claim, kind=kind)


def test_buyippee_damaged_parcel_claim_within_three_days_of_signing_for_it() -> None:
    assert claim(kind="damaged_parcel", delivered_days_before=3).kind == "damaged_parcel"
    refused(
        "filing_window", None, claim, kind="damaged_parcel", delivered_days_before=3 + 1 / 86400
    )


def test_buyippee_lost_parcel_claim_has_no_three_day_window() -> None:
    assert claim(kind="lost_parcel", delivered_days_before=20).kind == "lost_parcel"


def test_buyippee_return_request_within_three_days_of_receipt() -> None:
    assert claim(kind="return_request", delivered_days_before=3).kind == "return_request"
    refused(
        "filing_window", None, claim, kind="return_request", delivered_days_before=3 + 1 / 86400
    )


# -- claim fields ------------------------------------------------------------------------------


def test_buyippee_claim_whose_declared_value_is_below_the_receipt_is_refused() -> None:
    refused("declared_below_receipt", None, claim, receipt="1000.00", declared="999.99")


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"declared_value": "1000"}, "plan"),
        ({"plan": "gold", "declared_value": "1000"}, "plan"),
        ({"plan": "basic"}, "declared_value"),
        ({"plan": "basic", "declared_value": "a lot"}, "declared_value"),
    ],
)
def test_buyippee_claim_needs_a_plan_and_a_declared_value(
    fields: dict[str, Any], field: str
) -> None:
    error = refused("invalid_field", None, claim, fields=fields)
    assert error.field == field  # type: ignore[attr-defined]


# -- compensation per plan ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "receipt", "cap"),
    [
        ("basic", "1000.00", "500.00"),  # 50 %
        ("basic", "30000.00", "10000"),  # capped at HKD 10,000
        ("plus", "1000.00", "800.00"),  # 80 %
        ("plus", "90000.00", "50000"),  # capped at HKD 50,000
        ("super_care", "1000.00", "1000.00"),  # 100 %
        ("super_care", "150000.00", "100000"),  # capped at HKD 100,000
    ],
)
def test_buyippee_caps_the_platform_payout_per_plan(plan: str, receipt: str, cap: str) -> None:
    case = claim(plan, receipt)
    refused("cap_exceeded", case, platform_refund, case, str(Decimal(cap) + Decimal("0.01")))
    platform_refund(case, cap)
    refunded = last(case, "Refunded")
    assert (refunded.amount, refunded.currency, refunded.payer) == (Decimal(cap), "HKD", "platform")


def test_buyippee_compensation_base_is_the_lower_of_declared_and_receipt_value() -> None:
    case = claim("basic", receipt="1000.00", declared="5000.00")
    refused("cap_exceeded", case, platform_refund, case, "500.01")
    platform_refund(case, "500.00")


def test_buyippee_caps_do_not_limit_what_the_store_refunds() -> None:
    case = claim("basic", "1000.00")
    case.refund(
        BUYIPPEE, by(STORE, MONDAY + timedelta(days=1)), Money.of("1000.00", "HKD"), "store"
    )
    assert case.status == "closed"


def test_buyippee_cap_for_a_receipt_in_another_currency_needs_an_explicit_rate() -> None:
    case = claim("basic", "100.00", currency="USD")  # compensation USD 50, HKD 390 at 7.8
    refused("cap_exceeded", case, platform_refund, case, "1", "USD")
    rates = ExchangeRates({"USD/HKD": Decimal("7.8")})
    refused("cap_exceeded", case, platform_refund, case, "50.01", "USD", rates)
    refused("cap_exceeded", case, platform_refund, case, "390.01", "HKD", rates)
    platform_refund(case, "50.00", "USD", rates)
    assert [r["amount"] for r in case.refunds] == [Decimal("50.00")]
    assert case.status == "awaiting_store"  # a payment alone decides nothing


@pytest.mark.parametrize(
    ("plan", "declared", "fee"),
    [
        ("basic", "500", "20"),  # flat HKD 20
        ("basic", "90000", "20"),
        ("plus", "1000", "50.00"),  # 2.5 % = 25, minimum 50
        ("plus", "4000", "100.00"),
        ("super_care", "1000", "50.00"),  # 3 % = 30, minimum 50
        ("super_care", "10000", "300.00"),
    ],
)
def test_buyippee_plan_fees(plan: str, declared: str, fee: str) -> None:
    found = BUYIPPEE.plan(plan)
    assert found is not None
    assert plan_fee(found, Decimal(declared)) == Decimal(fee)


# -- reply and returns -------------------------------------------------------------------------


def test_buyippee_reply_within_seven_days_of_the_claim_else_escalated() -> None:
    case = claim()
    assert deadline(case, "reply").due_at == MONDAY + timedelta(hours=168)
    reply = fire(case, "reply")
    assert (last(case, "Escalated").deadline_id, case.status) == (reply.id, "escalated")


def test_buyippee_store_reply_stops_the_reply_clock() -> None:
    case = claim()
    case.respond(BUYIPPEE, by(STORE, MONDAY + timedelta(days=6)))
    assert case.deadlines == []


def test_a_return_reaches_the_office_within_three_full_work_days_after_receipt() -> None:
    received = local(2026, 12, 23, 10, zone=HONG_KONG)  # the parcel was signed for (Wednesday)
    case = submit(
        "buyippee",
        "return_request",
        at=received + timedelta(hours=5),
        the_order=order("1000.00", "HKD", delivered_at=received),
        fields={"plan": "plus", "declared_value": "1000.00"},
    )
    # Counted from receipt, not from filing or shipping: Thursday 24 and (after Christmas Day,
    # the first weekday after it and Sunday) Monday 28 and Tuesday 29 count. Saturdays are work
    # days in Hong Kong.
    assert deadline(case, "return_arrival").due_at == local(2026, 12, 30, zone=HONG_KONG)
    assert "reply" not in kinds(case)  # a return request is not a claim to answer
    case.ship_return(BUYIPPEE, by(CONSUMER, local(2026, 12, 24, 9, zone=HONG_KONG)), "HK", "E1")
    assert deadline(case, "return_arrival").due_at == local(2026, 12, 30, zone=HONG_KONG)
    case.receive_return(BUYIPPEE, by(STORE, local(2026, 12, 29, 15, zone=HONG_KONG)))
    assert "return_arrival" not in kinds(case)


def test_a_return_that_does_not_arrive_in_time_ends_as_the_consumers_lapse() -> None:
    case = claim(kind="return_request")
    case.ship_return(BUYIPPEE, by(CONSUMER, MONDAY + timedelta(hours=1)), "HK Post", "EE1")
    fire(case, "return_arrival")
    assert (case.status, case.resolution) == ("closed", "consumer_gave_up")
    assert last(case, "Closed").reason == "consumer_gave_up"  # not escalated against the store


def test_buyippee_exclusions_are_listed_in_the_policy() -> None:
    assert BUYIPPEE.protection.exclusions == [
        "liquids",
        "dangerous or prohibited goods",
        "parcels not in cardboard or wooden boxes",
        "fragile goods without proper protection",
        "Plus and Super Care cover new goods only",
    ]
    new_only = {p.name: p.new_goods_only for p in BUYIPPEE.protection.plans}
    assert new_only == {"basic": False, "plus": True, "super_care": True}


def test_buyippee_calendar_is_hong_kong() -> None:
    spec = BUYIPPEE.calendar
    assert (spec.country, spec.timezone, BUYIPPEE.protection.plan_currency) == (
        "HK",
        "Asia/Hong_Kong",
        "HKD",
    )
