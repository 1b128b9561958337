"""Biggrey Relations (PLATFORMS.md, seed 000): one test per rule row."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from support.builders import (
    CONSUMER,
    LONDON,
    MONDAY,
    STAFF,
    STORE,
    by,
    deadline,
    events,
    fire,
    kinds,
    last,
    local,
    order,
    policy,
    refused,
    run_scheduler,
    submit,
    types,
)

from domain.calendar import BusinessCalendar
from domain.case import Case
from domain.money import ExchangeRates, Money

BIGGREY = policy("biggrey")
RATES = ExchangeRates({"GBP/USD": Decimal("1.25")})


# -- kinds -------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["warranty_claim", "return_request", "complaint"])
def test_biggrey_offers_warranty_claims_return_requests_and_complaints(kind: str) -> None:
    assert submit("biggrey", kind).kind == kind


@pytest.mark.parametrize("kind", ["refund_only", "counterfeit", "damaged_parcel"])
def test_biggrey_refuses_kinds_it_does_not_list(kind: str) -> None:
    refused("kind_not_offered", None, submit, "biggrey", kind)


def test_biggrey_has_no_filing_window() -> None:
    years_ago = MONDAY - timedelta(days=3 * 365)
    case = submit(
        "biggrey", "warranty_claim", the_order=order(completed_at=years_ago, delivered_at=years_ago)
    )
    assert case.status == "awaiting_store"


# -- forwarding and first response -------------------------------------------------------------


def test_store_is_notified_as_soon_as_the_case_is_submitted() -> None:
    case = submit("biggrey", "warranty_claim")
    assert types(case) == ["Submitted"]
    assert case.status == "awaiting_store"
    assert last(case, "Submitted").store_id == "s1"
    assert kinds(case) == {"first_response", "consumer_close"}


def test_store_that_misses_the_first_two_full_work_days_is_reminded() -> None:
    case = submit("biggrey", "warranty_claim", at=local(2026, 11, 23, 10, zone=LONDON))
    first = deadline(case, "first_response")
    assert first.due_at == local(2026, 11, 26, zone=LONDON)  # Monday not whole: Tue, Wed
    fire(case, "first_response")
    reminded = last(case, "Reminded")
    assert (reminded.count, reminded.deadline_id) == (1, first.id)
    assert reminded.occurred_at == first.due_at
    assert reminded.actor == {"role": "system", "id": "scheduler"}
    assert case.status == "awaiting_store"


def test_store_response_stops_the_first_response_clock() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.respond(BIGGREY, by(STORE, MONDAY + timedelta(hours=3)), "on it")
    assert case.status == "in_progress"
    assert "first_response" not in kinds(case)


# -- extra time --------------------------------------------------------------------------------


def test_after_the_reminder_the_store_gets_three_more_full_work_days() -> None:
    case = submit(
        "biggrey", "warranty_claim", certified=True, at=local(2026, 11, 23, 10, zone=LONDON)
    )
    fire(case, "first_response")
    # Thursday 26, Friday 27, Monday 30: due Tuesday 1 December at midnight.
    assert deadline(case, "extra_time").due_at == local(2026, 12, 1, zone=LONDON)


def test_extra_time_counts_from_the_reminder_due_at_not_from_when_the_scheduler_ran() -> None:
    case = submit(
        "biggrey", "warranty_claim", certified=True, at=local(2026, 11, 23, 10, zone=LONDON)
    )
    fire(case, "first_response", late=timedelta(days=3, hours=5))
    assert deadline(case, "extra_time").due_at == local(2026, 12, 1, zone=LONDON)
    assert last(case, "Reminded").timestamp > last(case, "Reminded").occurred_at


def test_certified_store_is_warned_and_escalated_after_the_extra_three_work_days() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    fire(case, "first_response")
    extra = fire(case, "extra_time")
    assert types(case)[-2:] == ["Warned", "Escalated"]
    assert last(case, "Warned").count == 1
    escalated = last(case, "Escalated")
    assert (escalated.reason, escalated.deadline_id) == ("sla_missed", extra.id)
    assert case.status == "escalated"
    assert kinds(case) == {"protection"}


# -- non-certified stores ----------------------------------------------------------------------


def test_non_certified_store_is_reminded_every_two_work_days_until_day_30() -> None:
    submitted = local(2026, 11, 23, 10, zone=LONDON)
    case = submit("biggrey", "warranty_claim", at=submitted)
    calendar = case.calendar
    run_scheduler(case)
    reminders = [e for e in events(case) if type(e).__name__ == "Reminded"]
    assert [r.count for r in reminders] == list(range(1, len(reminders) + 1))
    # Reminder, 3 extra work days, then one every 2 full work days until day 30.
    times = [r.occurred_at for r in reminders]
    assert times[1] == calendar.full_work_days_after(times[0], 3)
    for before, after in pairwise(times[1:]):
        assert after == calendar.full_work_days_after(before, 2)
    day_30 = submitted + timedelta(days=30)
    assert times[-1] <= day_30 < calendar.full_work_days_after(times[-1], 2)
    assert types(case)[-1] == "ConsumerCloseAllowed"
    assert last(case, "ConsumerCloseAllowed").occurred_at == day_30
    assert case.deadlines == []  # the reminders stop at day 30


def test_non_certified_store_is_never_warned_nor_escalated() -> None:
    case = submit("biggrey", "warranty_claim")
    run_scheduler(case)
    assert not {"Warned", "Escalated"} & set(types(case))
    assert case.status == "awaiting_store"


def test_consumer_may_not_close_a_non_certified_case_before_day_30() -> None:
    case = submit("biggrey", "warranty_claim")
    run_scheduler(case, until=MONDAY + timedelta(days=29))
    refused(
        "not_yet_allowed",
        case,
        case.consumer_close,
        BIGGREY,
        by(CONSUMER, MONDAY + timedelta(days=29)),
    )


def test_consumer_may_close_a_non_certified_case_after_day_30() -> None:
    case = submit("biggrey", "warranty_claim")
    run_scheduler(case)
    case.consumer_close(BIGGREY, by(CONSUMER, MONDAY + timedelta(days=31)))
    closed = last(case, "Closed")
    assert closed.reason == "consumer_closed"
    assert (case.status, case.resolution) == ("closed", "consumer_closed")


def test_a_store_reply_takes_away_the_consumers_right_to_close_after_30_days() -> None:
    case = submit("biggrey", "warranty_claim")
    case.respond(BIGGREY, by(STORE, MONDAY + timedelta(days=1)))
    assert "consumer_close" not in kinds(case)
    refused(
        "not_yet_allowed",
        case,
        case.consumer_close,
        BIGGREY,
        by(CONSUMER, MONDAY + timedelta(days=40)),
    )


def test_consumer_of_a_certified_store_cannot_close_the_case_themselves() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    run_scheduler(case, until=MONDAY + timedelta(days=31))
    refused(
        "not_yet_allowed",
        case,
        case.consumer_close,
        BIGGREY,
        by(CONSUMER, MONDAY + timedelta(days=31)),
    )


def test_non_certified_store_has_no_purchase_protection() -> None:
    case = submit("biggrey", "warranty_claim")
    refused(
        "step_not_offered",
        case,
        case.refund,
        BIGGREY,
        by(STAFF, MONDAY),
        Money.of("10", "USD"),
        "platform",
    )


# -- purchase protection -----------------------------------------------------------------------


def escalated_certified_case(amount: str = "100.00", currency: str = "USD") -> Case:
    case = submit("biggrey", "warranty_claim", certified=True, the_order=order(amount, currency))
    fire(case, "first_response")
    fire(case, "extra_time")
    return case


def test_no_agreement_30_days_after_escalation_is_refunded_by_biggrey() -> None:
    case = escalated_certified_case()
    escalated_at = last(case, "Escalated").occurred_at
    assert deadline(case, "protection").due_at == escalated_at + timedelta(days=30)
    fire(case, "protection")
    refunded = last(case, "Refunded")
    assert (refunded.amount, refunded.currency) == (Decimal("100.00"), "USD")
    assert (refunded.payer, refunded.reason) == ("platform", "purchase_protection")
    assert (case.status, case.resolution) == ("closed", "protection_refund")


def test_purchase_protection_is_capped_at_5000_usd() -> None:
    case = escalated_certified_case("7250.00")
    fire(case, "protection")
    refunded = last(case, "Refunded")
    assert (refunded.amount, refunded.currency) == (Decimal("5000"), "USD")


def test_purchase_protection_in_another_currency_converts_the_cap_with_an_explicit_rate() -> None:
    case = escalated_certified_case("5000.00", "GBP")  # 6,250 USD: above the cap
    fire(case, "protection", rates=RATES)
    refunded = last(case, "Refunded")
    assert (refunded.amount, refunded.currency) == (Decimal("4000.00"), "GBP")


def test_purchase_protection_without_a_rate_is_held_for_staff_never_guessed() -> None:
    case = escalated_certified_case("100.00", "GBP")
    fire(case, "protection")
    assert types(case)[-1] == "PayoutHeld"
    assert case.status == "escalated"
    assert case.refunds == []
    assert "payout" not in kinds(case)  # no transfer was ordered, so none can be overdue


def test_staff_refund_by_biggrey_above_the_cap_is_refused() -> None:
    case = escalated_certified_case("9000.00")
    refused(
        "cap_exceeded",
        case,
        case.refund,
        BIGGREY,
        by(STAFF, MONDAY + timedelta(days=9)),
        Money.of("5000.01", "USD"),
        "platform",
    )


def test_biggrey_payout_deadline_is_48_hours_after_the_protection_refund() -> None:
    case = escalated_certified_case()
    fire(case, "protection")
    refunded = last(case, "Refunded")
    payout = deadline(case, "payout")
    assert payout.due_at == refunded.occurred_at + timedelta(hours=48)
    fire(case, "payout")  # the case is closed, yet ops still hear of the overdue transfer
    assert types(case)[-1] == "PayoutOverdue"
    assert case.deadlines == []


def test_confirmed_payout_stops_the_payout_deadline() -> None:
    case = escalated_certified_case()
    fire(case, "protection")
    case.confirm_payout(BIGGREY, by(STAFF, MONDAY + timedelta(days=40)), "transfer-77")
    assert case.deadlines == []
    assert case.status == "closed"


def test_protection_clock_keeps_running_when_the_consumer_rejects_the_stores_close() -> None:
    case = escalated_certified_case()
    protection = deadline(case, "protection")
    case.store_close(BIGGREY, by(STORE, MONDAY + timedelta(days=10)), "reject")
    case.reject(BIGGREY, by(CONSUMER, MONDAY + timedelta(days=11)), "no agreement")
    assert deadline(case, "protection") == protection
    assert case.status == "escalated"  # back to staff, not to the store's response chain
    assert kinds(case) == {"protection"}


# -- the store closes, the consumer answers ----------------------------------------------------


def test_store_closing_the_case_waits_for_the_consumer_to_approve() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.store_close(BIGGREY, by(STORE, MONDAY + timedelta(hours=5)), "repair", "fixed")
    assert case.status == "awaiting_consumer"
    assert case.deadlines == []
    case.approve(BIGGREY, by(CONSUMER, MONDAY + timedelta(days=1)))
    assert (case.status, case.resolution) == ("closed", "agreed")


def test_consumer_rejection_needs_a_written_explanation() -> None:
    case = submit("biggrey", "warranty_claim")
    case.store_close(BIGGREY, by(STORE, MONDAY + timedelta(hours=5)), "reject")
    refused(
        "explanation_required",
        case,
        case.reject,
        BIGGREY,
        by(CONSUMER, MONDAY + timedelta(days=1)),
        "   ",
    )


def test_consumer_rejection_gives_the_store_a_new_two_work_day_window() -> None:
    case = submit("biggrey", "warranty_claim", certified=True)
    case.store_close(BIGGREY, by(STORE, MONDAY + timedelta(hours=5)), "reject")
    rejected_at = local(2026, 11, 27, 15, zone=LONDON)  # a Friday afternoon
    case.reject(BIGGREY, by(CONSUMER, rejected_at), "the screen is still cracked")
    assert last(case, "ConsumerRejected").explanation == "the screen is still cracked"
    assert case.status == "in_progress"
    # Monday 30 November and Tuesday 1 December count: due Wednesday 2 December at midnight.
    assert deadline(case, "first_response").due_at == local(2026, 12, 2, zone=LONDON)


# -- data and calendar -------------------------------------------------------------------------


def test_biggrey_protection_excludes_lost_wages_third_party_repairs_and_mishandling() -> None:
    assert BIGGREY.protection.exclusions == [
        "lost wages or time spent",
        "third-party repair attempts",
        "consumer mishandling",
    ]
    assert BIGGREY.protection.certified_only


def test_biggrey_default_calendar_is_gb_in_europe_london_and_follows_the_store() -> None:
    assert (BIGGREY.calendar.country, BIGGREY.calendar.timezone) == ("GB", "Europe/London")
    assert BIGGREY.calendar.store_calendar


def test_biggrey_work_days_skip_bank_holidays_of_the_stores_country_and_subdivision() -> None:
    # 25 December and Boxing Day (observed Monday 28 December 2026) are GB bank holidays.
    case = submit("biggrey", "warranty_claim", at=local(2026, 12, 24, 10, zone=LONDON))
    assert deadline(case, "first_response").due_at == local(2026, 12, 31, zone=LONDON)


def test_biggrey_counts_work_days_on_a_us_stores_calendar_and_zone() -> None:
    new_york = ZoneInfo("America/New_York")
    case = submit(
        "biggrey",
        "warranty_claim",
        at=local(2026, 11, 24, 10, zone=new_york),
        calendar=BusinessCalendar("US", "America/New_York"),
    )
    # Wednesday 25 and Friday 27 November (Thanksgiving is off): due Saturday at midnight.
    assert deadline(case, "first_response").due_at == local(2026, 11, 28, zone=new_york)
