"""The second edition's clocks and endings for globalbuy, geli, bigben and buyippee
(PLATFORMS.md rows marked (2nd ed.)), through the real service and the scheduler's sweeper
on both backends. Due instants are checked against the platform's calendar."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from support.scheduler_harness import CONSUMER, STAFF, STORE, Harness, local, module_harness

from domain.errors import DomainError
from domain.money import Money

SHANGHAI, PARIS, HONG_KONG = "Asia/Shanghai", "Europe/Paris", "Asia/Hong_Kong"


shared, h = module_harness()


def globalbuy_case(h: Harness, kind: str = "return_request", **fields: Any) -> tuple[UUID, Any]:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy", kind, submitted, completed_at=submitted - timedelta(days=1), **fields
    )
    return case_id, submitted


def geli_case(h: Harness, kind: str = "return_request", **fields: Any) -> tuple[UUID, Any]:
    h.store("geli", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    delivered = fields.pop("delivered_at", submitted - timedelta(days=1))
    case_id = h.submit("geli", kind, submitted, delivered_at=delivered, **fields)
    return case_id, submitted


# -- globalbuy ---------------------------------------------------------------------------------


def test_globalbuy_auto_approval_starts_the_consumers_168_hour_return_clock(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    h.fires_at(case_id, submitted + timedelta(hours=48), "AutoApproved")
    h.fires_at(case_id, submitted + timedelta(hours=48 + 168), "Closed")
    state = h.state(case_id)
    assert (state["status"], state["resolution"]) == ("closed", "consumer_gave_up")


def test_globalbuy_return_shipped_in_time_stops_the_consumers_clock(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="approve")
    assert [d["kind"] for d in h.state(case_id)["deadlines"]] == ["consumer_return"]
    h.act(
        case_id, CONSUMER, submitted + timedelta(days=2), "ship_return", carrier="SF", waybill="1"
    )
    assert h.state(case_id)["deadlines"] == []


def test_globalbuy_refunds_a_received_return_automatically_after_48_hours(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="approve")
    received = submitted + timedelta(days=3)
    h.act(case_id, STORE, received, "receive_return")
    h.fires_at(case_id, received + timedelta(hours=48), "Refunded")
    state = h.state(case_id)
    assert (state["resolution"], state["refunds"][0]["reason"]) == ("refunded", "auto_refund")
    assert state["refunds"][0]["amount"] == Decimal("120.00")


def test_globalbuy_agreed_partial_amount_is_what_is_refunded(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h, "refund_only", refund_amount="30.00")
    h.fires_at(case_id, submitted + timedelta(hours=48), "AutoApproved", "Refunded")
    assert h.state(case_id)["refunds"][0]["amount"] == Decimal("30.00")


def test_globalbuy_police_proof_resumes_six_calendar_months_later(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    paused = submitted + timedelta(hours=6)
    h.act(case_id, STAFF, paused, "suspend", reason="judicial")
    proof = local("2025-06-05 09:00", SHANGHAI)
    h.act(case_id, STAFF, proof, "record_suspension_proof", reference="PSB-1", authority="police")
    h.fires_at(case_id, local("2025-12-05 09:00", SHANGHAI), "Resumed")
    # The merchant's 48 hours had 42 left when the case was suspended.
    due = local("2025-12-05 09:00", SHANGHAI) + timedelta(hours=42)
    assert [d["due_at"] for d in h.state(case_id)["deadlines"]] == [due]


def test_globalbuy_court_proof_waits_for_staff(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    h.act(case_id, STAFF, submitted + timedelta(hours=6), "suspend", reason="judicial")
    h.act(
        case_id,
        STAFF,
        submitted + timedelta(days=1),
        "record_suspension_proof",
        reference="court-7",
        authority="court",
    )
    assert h.run_due(submitted + timedelta(days=800)).fired == 0
    assert h.state(case_id)["status"] == "suspended"


def test_globalbuy_negotiation_suspension_never_resumes_by_itself(h: Harness) -> None:
    case_id, submitted = globalbuy_case(h)
    h.act(case_id, STAFF, submitted + timedelta(hours=6), "suspend", reason="negotiation")
    assert h.state(case_id)["deadlines"] == []
    assert h.run_due(submitted + timedelta(days=400)).fired == 0
    h.refused(
        "not_allowed_in_status",
        case_id,
        STAFF,
        submitted + timedelta(days=1),
        "record_suspension_proof",
        reference="x",
        authority="court",
    )
    h.act(case_id, STAFF, submitted + timedelta(days=30), "resume")
    assert h.state(case_id)["status"] == "awaiting_store"


# -- geli --------------------------------------------------------------------------------------


def test_geli_merchant_records_that_the_consumer_gave_up(h: Harness) -> None:
    case_id, submitted = geli_case(h)
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="consumer_gave_up")
    state = h.state(case_id)
    assert (state["status"], state["resolution"], state["refunds"]) == (
        "closed",
        "consumer_gave_up",
        [],
    )


def test_geli_approving_a_refund_only_request_refunds_and_ends_it(h: Harness) -> None:
    case_id, submitted = geli_case(h, "refund_only")
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="approve")
    state = h.state(case_id)
    assert (state["resolution"], state["deadlines"]) == ("refunded", [])
    assert state["refunds"][0]["amount"] == Decimal("120.00")


def test_geli_fresh_food_is_shipped_back_within_24_hours(h: Harness) -> None:
    case_id, submitted = geli_case(h, goods_category="fresh_food")
    approved = submitted + timedelta(minutes=30)
    h.act(case_id, STORE, approved, "decide", decision="approve")
    h.fires_at(case_id, approved + timedelta(hours=24), "Closed")
    assert h.state(case_id)["resolution"] == "consumer_gave_up"


def test_geli_partial_refund_needs_the_consumers_consent_first(h: Harness) -> None:
    case_id, submitted = geli_case(h)
    at = submitted + timedelta(hours=1)
    h.refused("not_yet_allowed", case_id, STORE, at, "refund", amount=_usd("20"), payer="store")
    h.act(case_id, STORE, at, "store_close", decision="refund", refund_amount=Decimal("20.00"))
    h.act(case_id, CONSUMER, at + timedelta(hours=1), "approve")
    assert h.state(case_id)["resolution"] == "agreed"


def test_geli_full_refund_after_a_processed_return_ends_the_case(h: Harness) -> None:
    case_id, submitted = geli_case(h)
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="approve")
    h.act(case_id, STORE, submitted + timedelta(days=2), "receive_return")
    h.act(
        case_id, STORE, submitted + timedelta(days=3), "refund", amount=_usd("120"), payer="store"
    )
    assert h.state(case_id)["resolution"] == "refunded"


def test_geli_refuses_a_second_return_on_an_order_already_refunded(h: Harness) -> None:
    case_id, submitted = geli_case(h, "refund_only")
    h.act(case_id, STORE, submitted + timedelta(hours=1), "decide", decision="refund_only")
    assert h.state(case_id)["resolution"] == "refunded"
    with pytest.raises(DomainError) as refusal:
        h.submit("geli", "return_request", submitted + timedelta(days=1), delivered_at=submitted)
    assert refusal.value.rule == "already_refunded"
    # Another order, or a repair on the same one, is still welcome.
    h.submit("geli", "warranty_claim", submitted + timedelta(days=1), delivered_at=submitted)


def test_geli_repair_clock_counts_from_the_request(h: Harness) -> None:
    case_id, submitted = geli_case(h, "warranty_claim")
    h.act(case_id, STORE, submitted + timedelta(days=2), "decide", decision="approve")
    h.fires_at(case_id, submitted + timedelta(hours=168), "Escalated")


def test_geli_merchant_repays_the_platforms_advance_within_3_days(h: Harness) -> None:
    case_id, submitted = geli_case(h)
    h.fires_at(case_id, submitted + timedelta(hours=48), "Escalated")  # review missed
    advanced = submitted + timedelta(days=3)
    h.act(case_id, STAFF, advanced, "refund", amount=_usd("120"), payer="platform")
    h.fires_at(case_id, advanced + timedelta(hours=72), "RepaymentOverdue")
    assert h.state(case_id)["deadlines"] == []  # flagged once for ops


def test_geli_recorded_repayment_stops_the_clock(h: Harness) -> None:
    case_id, submitted = geli_case(h)
    h.fires_at(case_id, submitted + timedelta(hours=48), "Escalated")
    advanced = submitted + timedelta(days=3)
    h.act(case_id, STAFF, advanced, "refund", amount=_usd("50"), payer="platform")
    h.act(case_id, STAFF, advanced + timedelta(days=1), "record_repayment", reference="R-1")
    assert h.state(case_id)["deadlines"] == []
    h.refused(
        "not_allowed_in_status",
        case_id,
        STAFF,
        advanced + timedelta(days=2),
        "record_repayment",
        reference="again",
    )


# -- bigben ------------------------------------------------------------------------------------


def bigben_warranty(h: Harness) -> tuple[UUID, Any]:
    h.store("bigben", country="FR", timezone=PARIS)
    submitted = local("2025-06-02 10:00", PARIS)
    return h.submit("bigben", "warranty_claim", submitted), submitted


def test_bigben_warranty_return_waits_for_a_return_needed_diagnosis(h: Harness) -> None:
    case_id, submitted = bigben_warranty(h)
    ship = {"carrier": "Colissimo", "waybill": "6A1"}
    error = h.refused("not_yet_allowed", case_id, CONSUMER, submitted, "ship_return", **ship)
    assert "diagnosis" in error.detail
    h.act(case_id, STORE, submitted + timedelta(hours=2), "diagnose", outcome="fixed_remotely")
    h.refused("not_yet_allowed", case_id, CONSUMER, submitted, "ship_return", **ship)
    h.act(case_id, STORE, submitted + timedelta(hours=3), "diagnose", outcome="return_needed")
    h.act(case_id, CONSUMER, submitted + timedelta(hours=4), "ship_return", **ship)
    assert h.state(case_id)["return_shipment"]["waybill"] == "6A1"


def test_bigben_refund_clock_stops_on_a_refusing_proposal(h: Harness) -> None:
    case_id, submitted = bigben_warranty(h)
    h.act(case_id, STORE, submitted + timedelta(hours=2), "diagnose", outcome="return_needed")
    h.act(case_id, STORE, submitted + timedelta(days=3), "receive_return")
    assert [d["kind"] for d in h.state(case_id)["deadlines"]] == ["refund"]
    h.act(case_id, STORE, submitted + timedelta(days=4), "store_close", decision="reject")
    assert h.state(case_id)["deadlines"] == []


def test_bigben_refund_clock_escalates_after_14_days(h: Harness) -> None:
    case_id, submitted = bigben_warranty(h)
    h.act(case_id, STORE, submitted + timedelta(hours=2), "diagnose", outcome="return_needed")
    received = submitted + timedelta(days=3)
    h.act(case_id, STORE, received, "receive_return")
    h.fires_at(case_id, received + timedelta(hours=336), "Escalated")


# -- buyippee ----------------------------------------------------------------------------------


def test_buyippee_return_must_reach_the_office_3_work_days_after_receipt(h: Harness) -> None:
    h.store("buyippee", country="HK", timezone=HONG_KONG)
    delivered = local("2025-06-04 15:00", HONG_KONG)  # a Wednesday
    case_id = h.submit(
        "buyippee",
        "return_request",
        delivered + timedelta(days=1),
        currency="HKD",
        delivered_at=delivered,
        plan="plus",
        declared_value="120.00",
    )
    # Thu 5, Fri 6, Sat 7 (a work day in Hong Kong): due Sunday 8 June at midnight.
    h.fires_at(case_id, local("2025-06-08 00:00", HONG_KONG), "Closed")
    state = h.state(case_id)
    assert (state["resolution"], state["status"]) == ("consumer_gave_up", "closed")


def _usd(amount: str) -> Money:
    return Money.of(amount, "USD")
