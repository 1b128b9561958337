"""Globalbuy (PLATFORMS.md, seed 002): one test per rule row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

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
    order,
    policy,
    refused,
    submit,
    types,
)

from domain.case import Case

GLOBALBUY = policy("globalbuy")
KINDS = [
    "return_request",
    "refund_only",
    "exchange_request",
    "seven_day_return",
    "counterfeit",
    "complaint",
]


# -- kinds and filing windows ------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_globalbuy_offers_its_six_kinds(kind: str) -> None:
    assert submit("globalbuy", kind).status == "awaiting_store"


@pytest.mark.parametrize("kind", ["warranty_claim", "lost_parcel"])
def test_globalbuy_refuses_kinds_it_does_not_list(kind: str) -> None:
    refused("kind_not_offered", None, submit, "globalbuy", kind)


def completed(days_before: float, *, kind: str = "return_request") -> Case:
    done = MONDAY - timedelta(days=days_before)
    return submit("globalbuy", kind, the_order=order(completed_at=done, delivered_at=done))


@pytest.mark.parametrize("kind", ["return_request", "refund_only", "exchange_request", "complaint"])
def test_globalbuy_after_sales_filing_window_is_fifteen_days_from_order_completion(
    kind: str,
) -> None:
    assert completed(15, kind=kind).kind == kind  # exactly 360 hours: still in time
    refused("filing_window", None, completed, 15 + 1 / 86400, kind=kind)


def test_globalbuy_counterfeit_filing_window_is_ninety_days() -> None:
    assert completed(90, kind="counterfeit").kind == "counterfeit"
    refused("filing_window", None, completed, 90 + 1 / 86400, kind="counterfeit")
    refused("filing_window", None, completed, 16, kind="complaint")  # 90 days: counterfeit only


def test_globalbuy_filing_window_needs_the_order_completion_time() -> None:
    error = refused(
        "invalid_field",
        None,
        submit,
        "globalbuy",
        "refund_only",
        the_order=order(delivered_at=MONDAY),
    )
    assert error.field == "order.completed_at"  # type: ignore[attr-defined]


def seven_day_return(filed_at_local: tuple[int, int, int, int, int]) -> Case:
    signed = local(2026, 11, 20, 15, zone=SHANGHAI)
    return submit(
        "globalbuy",
        "seven_day_return",
        at=local(*filed_at_local, zone=SHANGHAI),
        the_order=order(completed_at=signed, delivered_at=signed),
    )


def test_seven_day_return_is_168_hours_from_midnight_after_delivery_was_signed_for() -> None:
    # Signed for on Friday 20 November 15:00: the 7 days run from Saturday 00:00 to the
    # following Saturday 00:00 (Shanghai time), whatever hour the parcel arrived.
    assert seven_day_return((2026, 11, 28, 0, 0)).kind == "seven_day_return"
    refused("filing_window", None, seven_day_return, (2026, 11, 28, 0, 1))


# -- merchant decision -------------------------------------------------------------------------


def test_merchant_that_decides_nothing_within_48_hours_is_approved_automatically() -> None:
    case = submit("globalbuy", "return_request")
    merchant = deadline(case, "merchant_decision")
    assert merchant.due_at == MONDAY + timedelta(hours=48)
    fire(case, "merchant_decision")
    assert last(case, "AutoApproved").deadline_id == merchant.id
    # The effect of the merchant's `approve`: the return starts, the consumer ships next.
    assert (case.status, case.resolution, case.last_decision) == ("in_progress", None, "approve")


def test_merchant_decision_stops_the_automatic_approval() -> None:
    case = submit("globalbuy", "return_request")
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=47)), "approve")
    assert case.status == "in_progress"
    assert kinds(case) == {"consumer_return"}  # now the consumer ships


def test_refund_only_decision_refunds_the_consumer_and_closes_the_case() -> None:
    case = submit("globalbuy", "refund_only", the_order=order("88.00", "CNY", completed_at=MONDAY))
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=2)), "refund_only")
    refunded = last(case, "Refunded")
    assert (refunded.amount, refunded.currency, refunded.payer) == (
        Decimal("88.00"),
        "CNY",
        "store",
    )
    assert (case.status, case.resolution) == ("closed", "refunded")


# -- refusal and arbitration -------------------------------------------------------------------


def refused_request() -> Case:
    case = submit("globalbuy", "return_request")
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=3)), "refuse", "used item")
    return case


def test_a_refused_request_waits_for_the_consumer() -> None:
    case = refused_request()
    assert (case.status, case.last_decision) == ("awaiting_consumer", "refuse")
    assert case.deadlines == []


def test_after_a_refusal_the_consumer_may_ask_globalbuy_to_arbitrate() -> None:
    case = refused_request()
    case.ask_arbitration(GLOBALBUY, by(CONSUMER, MONDAY + timedelta(days=1)), "it was new")
    escalated = last(case, "Escalated")
    assert (escalated.reason, escalated.note) == ("arbitration", "it was new")
    assert case.status == "escalated"


def test_globalbuy_arbitration_is_final_and_may_refund_first() -> None:
    case = refused_request()
    case.ask_arbitration(GLOBALBUY, by(CONSUMER, MONDAY + timedelta(days=1)), "it was new")
    case.rule(
        GLOBALBUY,
        by(STAFF, MONDAY + timedelta(days=3)),
        "consumer",
        "refunded first by the platform, recovered from the deposit",
        Decimal("100.00"),
        "platform",
    )
    assert (last(case, "Refunded").payer, case.status) == ("platform", "closed")
    assert case.resolution == "ruled_for_consumer"


def test_arbitration_is_not_allowed_before_a_refusal() -> None:
    case = submit("globalbuy", "return_request")
    refused(
        "not_allowed_in_status",
        case,
        case.ask_arbitration,
        GLOBALBUY,
        by(CONSUMER, MONDAY + timedelta(hours=1)),
        "please",
    )
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=2)), "reship")
    refused(
        "not_allowed_in_status",
        case,
        case.ask_arbitration,
        GLOBALBUY,
        by(CONSUMER, MONDAY + timedelta(hours=3)),
        "please",
    )


def test_after_a_refusal_the_consumer_may_also_accept_it() -> None:
    case = refused_request()
    case.approve(GLOBALBUY, by(CONSUMER, MONDAY + timedelta(days=1)))
    assert (case.status, case.resolution) == ("closed", "agreed")


# -- withdrawal --------------------------------------------------------------------------------


def test_consumer_may_withdraw_a_request_and_file_again_later() -> None:
    case = submit("globalbuy", "return_request")
    case.withdraw(GLOBALBUY, by(CONSUMER, MONDAY + timedelta(hours=1)), "changed my mind")
    assert (case.status, case.deadlines) == ("withdrawn", [])
    again = submit(
        "globalbuy",
        "return_request",
        at=MONDAY + timedelta(days=2),
        the_order=order(completed_at=MONDAY - timedelta(days=1)),
    )
    assert again.id != case.id
    assert again.status == "awaiting_store"


# -- judicial suspension -----------------------------------------------------------------------


def suspended(after: timedelta = timedelta(hours=10)) -> Case:
    case = submit("globalbuy", "return_request")
    case.suspend(GLOBALBUY, by(STAFF, MONDAY + after), "judicial")
    return case


def test_judicial_suspension_pauses_the_deadlines_with_their_remaining_time() -> None:
    case = suspended()
    assert case.status == "suspended"
    assert case.paused_deadlines == [
        {
            "id": "merchant_decision-1",
            "kind": "merchant_decision",
            "action": "auto_approve",
            "remaining_seconds": 38 * 3600,
        }
    ]
    assert kinds(case) == {"auto_resume"}


def test_staff_resuming_a_suspension_restarts_deadlines_with_the_time_they_had_left() -> None:
    case = suspended()
    resumed_at = MONDAY + timedelta(days=5)
    case.resume(GLOBALBUY, by(STAFF, resumed_at))
    assert (case.status, case.paused_deadlines) == ("awaiting_store", [])
    merchant = deadline(case, "merchant_decision")
    assert (merchant.id, merchant.due_at) == (
        "merchant_decision-1",
        resumed_at + timedelta(hours=38),
    )


def test_suspension_without_proof_resumes_by_itself_after_seven_full_work_days() -> None:
    case = suspended()  # Tuesday 24 November 04:00 in Shanghai: the day is not whole
    auto = deadline(case, "auto_resume")
    assert auto.due_at == local(2026, 12, 4, zone=SHANGHAI)  # Wed 25 ... Thu 3 December
    fire(case, "auto_resume", late=timedelta(minutes=7))
    resumed = last(case, "Resumed")
    assert (resumed.actor["role"], resumed.occurred_at) == ("system", auto.due_at)
    assert case.status == "awaiting_store"
    assert deadline(case, "merchant_decision").due_at == auto.due_at + timedelta(hours=38)


def test_judicial_suspension_skips_national_day_week_and_counts_the_make_up_saturday() -> None:
    case = submit("globalbuy", "complaint", at=local(2026, 9, 29, 9, zone=SHANGHAI))
    case.suspend(GLOBALBUY, by(STAFF, local(2026, 9, 30, 10, zone=SHANGHAI)), "judicial")
    # 1-7 October are off; 8, 9, 10 (a make-up Saturday), 12, 13, 14, 15 are work days.
    assert deadline(case, "auto_resume").due_at == local(2026, 10, 16, zone=SHANGHAI)


def test_proof_of_acceptance_keeps_the_case_suspended_until_staff_resume_it() -> None:
    case = suspended()
    case.record_suspension_proof(
        GLOBALBUY, by(STAFF, MONDAY + timedelta(days=2)), "case 123", "court"
    )
    assert (case.status, case.deadlines) == ("suspended", [])
    assert case.paused_deadlines[0]["remaining_seconds"] == 38 * 3600
    case.resume(GLOBALBUY, by(STAFF, MONDAY + timedelta(days=60)))
    assert deadline(case, "merchant_decision").due_at == MONDAY + timedelta(days=60, hours=38)


def test_resuming_restores_the_status_the_case_had_when_suspended() -> None:
    case = refused_request()
    case.suspend(GLOBALBUY, by(STAFF, MONDAY + timedelta(hours=5)), "judicial")
    case.resume(GLOBALBUY, by(STAFF, MONDAY + timedelta(hours=9)))
    assert case.status == "awaiting_consumer"


def test_a_case_withdrawn_while_suspended_has_nothing_left_to_run() -> None:
    case = suspended()
    case.withdraw(GLOBALBUY, by(CONSUMER, MONDAY + timedelta(days=1)))
    assert (case.status, case.deadlines, case.paused_deadlines) == ("withdrawn", [], [])


# -- near-expiry goods -------------------------------------------------------------------------


def near_expiry(shelf_life_days: int, days_left_at_signing: int) -> Case:
    return submit(
        "globalbuy",
        "return_request",
        fields={"shelf_life_days": shelf_life_days, "days_left_at_signing": days_left_at_signing},
    )


@pytest.mark.parametrize(("shelf_life", "days_left"), [(30, 3), (10, 0), (1, 1)])
def test_near_expiry_up_to_30_days_shelf_life_and_3_days_left_is_refunded_unconditionally(
    shelf_life: int, days_left: int
) -> None:
    case = near_expiry(shelf_life, days_left)
    assert case.refund_without_return is True
    for decision in ("refuse", "reship"):
        refused(
            "step_not_offered",
            case,
            case.decide,
            GLOBALBUY,
            by(STORE, MONDAY + timedelta(hours=1)),
            decision,
        )
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=1)), "approve")
    refunded = last(case, "Refunded")
    assert (refunded.reason, refunded.payer) == ("near_expiry", "store")
    assert case.status == "closed"
    assert "ReturnShipped" not in types(case)


@pytest.mark.parametrize(("shelf_life", "days_left"), [(31, 7), (90, 7), (60, 0)])
def test_near_expiry_31_to_90_days_shelf_life_and_7_days_left_is_refunded_without_return(
    shelf_life: int, days_left: int
) -> None:
    case = near_expiry(shelf_life, days_left)
    assert case.refund_without_return is False  # supported, not unconditional
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=1)), "approve")
    assert (last(case, "Refunded").reason, case.status) == ("near_expiry", "closed")


def test_near_expiry_supported_refund_may_still_be_refused_by_the_merchant() -> None:
    case = near_expiry(60, 5)
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=1)), "refuse")
    assert case.status == "awaiting_consumer"


@pytest.mark.parametrize(("shelf_life", "days_left"), [(30, 4), (90, 8), (91, 0), (365, 1)])
def test_near_expiry_rule_does_not_apply_outside_its_two_bands(
    shelf_life: int, days_left: int
) -> None:
    case = near_expiry(shelf_life, days_left)
    assert case.refund_without_return is None
    case.decide(GLOBALBUY, by(STORE, MONDAY + timedelta(hours=1)), "approve")
    assert (types(case)[-1], case.status) == ("DecisionMade", "in_progress")


def test_globalbuy_calendar_is_china_in_asia_shanghai() -> None:
    assert (GLOBALBUY.calendar.country, GLOBALBUY.calendar.timezone) == ("CN", "Asia/Shanghai")
