"""Every deadline chain of PLATFORMS.md, end to end through the real service on both backends.

Each step checks the instant: nothing fires a microsecond before the due_at the platform's
calendar gives, and at that instant the case records the expected events with
`occurred_at == due_at`. Expected instants are written out in the calendar's local time.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from support.scheduler_harness import BACKENDS, CONSUMER, STAFF, STORE, Harness, local

from domain.errors import NotYetAllowed

LONDON, PARIS, SHANGHAI, HONG_KONG = (
    "Europe/London",
    "Europe/Paris",
    "Asia/Shanghai",
    "Asia/Hong_Kong",
)


@pytest.fixture(scope="module", params=BACKENDS)
def shared(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Harness]:
    with Harness.per_backend(request, tmp_path_factory) as harness:
        yield harness


@pytest.fixture
def h(shared: Harness) -> Harness:
    return shared.reset()


# -- biggrey -----------------------------------------------------------------------------------


def test_biggrey_certified_store_reminded_warned_refunded_and_decertified(h: Harness) -> None:
    h.store("biggrey", certified=True)
    case_id = h.submit(
        "biggrey", "warranty_claim", local("2025-04-16 10:00", LONDON), amount="7500.00"
    )
    # Thu 17, then Good Friday and Easter Monday are England's bank holidays: Tue 22 is the
    # second full work day.
    h.fires_at(case_id, local("2025-04-23 00:00", LONDON), "Reminded")
    # Three more full work days: Wed 23, Thu 24, Fri 25.
    h.fires_at(case_id, local("2025-04-26 00:00", LONDON), "Warned", "Escalated")
    # No agreement 30 days (elapsed) after the escalation: Biggrey pays, capped at 5,000 USD.
    h.fires_at(case_id, local("2025-05-26 00:00", LONDON), "Refunded")
    case = h.app.get_case(case_id)
    assert [(r["payer"], r["amount"], r["currency"]) for r in case["refunds"]] == [
        ("platform", Decimal("5000"), "USD")
    ]
    store = h.app.get_store("s-1")
    assert (store["certified"], store["warnings"]) == (False, 1)
    assert store["revocation_reason"] == "protection_payout_without_settlement"
    assert store["reapply_after"] == local("2026-05-26 00:00", LONDON)
    # The transfer must follow within 48 hours; ops see it flagged when it does not.
    h.fires_at(case_id, local("2025-05-28 00:00", LONDON), "PayoutOverdue")
    assert h.run_due(local("2026-01-01 00:00", LONDON)).fired == 0


def test_biggrey_non_certified_store_is_reminded_until_day_30_then_the_consumer_may_close(
    h: Harness,
) -> None:
    h.store("biggrey", certified=False)
    submitted = local("2025-03-03 10:00", LONDON)
    case_id = h.submit("biggrey", "warranty_claim", submitted)
    reminders = [
        local(day, LONDON)
        for day in (
            "2025-03-06 00:00",  # first response: 2 full work days
            "2025-03-11 00:00",  # extra time: 3 more
            "2025-03-13 00:00",  # then every 2 full work days (assumed)
            "2025-03-15 00:00",
            "2025-03-19 00:00",
            "2025-03-21 00:00",
            "2025-03-25 00:00",
            "2025-03-27 00:00",
            "2025-03-29 00:00",
            "2025-04-02 00:00",  # British Summer Time since 30 March
        )
    ]
    for due in reminders:
        h.fires_at(case_id, due, "Reminded")
    with pytest.raises(NotYetAllowed):
        h.act(case_id, CONSUMER, reminders[-1], "consumer_close")
    # Day 30 (elapsed) grants the right, as an event, and ends the reminders.
    h.fires_at(case_id, submitted + timedelta(days=30), "ConsumerCloseAllowed")
    assert h.app.get_case(case_id)["reminders"] == 10
    assert h.run_due(local("2025-06-01 00:00", LONDON)).fired == 0
    h.act(case_id, CONSUMER, local("2025-04-03 09:00", LONDON), "consumer_close")
    assert h.app.get_case(case_id)["resolution"] == "consumer_closed"


# -- globalbuy ---------------------------------------------------------------------------------


def test_globalbuy_silent_merchant_approves_a_return_after_48_hours_and_it_goes_on(
    h: Harness,
) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-06-02 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy",
        "return_request",
        submitted,
        amount="300.00",
        currency="CNY",
        completed_at=submitted - timedelta(days=2),
    )
    h.fires_at(case_id, local("2025-06-04 10:00", SHANGHAI), "AutoApproved")
    case = h.app.get_case(case_id)
    assert (case["status"], case["resolution"]) == ("in_progress", None)  # the consumer ships


def test_globalbuy_suspension_resumes_after_7_work_days_and_the_paused_clock_runs_on(
    h: Harness,
) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-09-26 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy",
        "return_request",
        submitted,
        amount="300.00",
        currency="CNY",
        completed_at=submitted - timedelta(days=2),
    )
    h.act(case_id, STAFF, local("2025-09-26 16:00", SHANGHAI), "suspend", reason="judicial")
    assert h.run_due(local("2025-10-13 23:59", SHANGHAI)).fired == 0
    # Work days: Sun 28 Sep (make-up day), 29, 30, then after National Day Oct 9, 10,
    # Sat 11 (make-up day), Mon 13: handling resumes at the end of the 7th.
    h.fires_at(case_id, local("2025-10-14 00:00", SHANGHAI), "Resumed")
    # The merchant had 42 of its 48 hours left when the case was suspended.
    h.fires_at(case_id, local("2025-10-15 18:00", SHANGHAI), "AutoApproved")


def test_globalbuy_suspension_with_proof_does_not_resume_by_itself(h: Harness) -> None:
    h.store("globalbuy", country="CN", timezone=SHANGHAI)
    submitted = local("2025-09-26 10:00", SHANGHAI)
    case_id = h.submit(
        "globalbuy",
        "return_request",
        submitted,
        amount="300.00",
        currency="CNY",
        completed_at=submitted - timedelta(days=2),
    )
    h.act(case_id, STAFF, submitted, "suspend", reason="judicial")
    h.act(
        case_id, STAFF, submitted, "record_suspension_proof", reference="case 42", authority="court"
    )
    assert h.run_due(local("2026-01-01 00:00", SHANGHAI)).fired == 0
    assert h.app.get_case(case_id)["status"] == "suspended"


# -- geli --------------------------------------------------------------------------------------


def geli_case(h: Harness, kind: str, submitted_local: str, **fields: object) -> UUID:
    h.store("geli", country="CN", timezone=SHANGHAI)
    submitted = local(submitted_local, SHANGHAI)
    return h.submit(
        "geli",
        kind,
        submitted,
        amount="99.00",
        currency="CNY",
        delivered_at=submitted - timedelta(hours=20),
        **fields,
    )


def test_geli_merchant_review_within_48_hours_or_escalated(h: Harness) -> None:
    case_id = geli_case(h, "return_request", "2025-06-02 10:00")
    h.fires_at(case_id, local("2025-06-04 10:00", SHANGHAI), "Escalated")


def test_geli_seven_day_return_review_within_24_hours_or_escalated(h: Harness) -> None:
    case_id = geli_case(h, "seven_day_return", "2025-06-02 10:00")
    h.fires_at(case_id, local("2025-06-03 10:00", SHANGHAI), "Escalated")


def test_geli_fresh_food_review_within_120_business_minutes_or_escalated(h: Harness) -> None:
    # 30 minutes on Friday until 22:00, then Sunday 28 Sep is a make-up work day: 08:00 + 90.
    case_id = geli_case(h, "return_request", "2025-09-26 21:30", goods_category="fresh_food")
    h.fires_at(case_id, local("2025-09-28 09:30", SHANGHAI), "Escalated")


def test_geli_consumer_who_does_not_ship_within_7_days_gives_up(h: Harness) -> None:
    case_id = geli_case(h, "return_request", "2025-06-02 10:00")
    h.act(case_id, STORE, local("2025-06-02 12:00", SHANGHAI), "decide", decision="approve")
    h.fires_at(case_id, local("2025-06-09 12:00", SHANGHAI), "Closed")
    assert h.app.get_case(case_id)["resolution"] == "consumer_gave_up"


def test_geli_return_not_processed_within_240_hours_of_the_waybill_is_escalated(
    h: Harness,
) -> None:
    case_id = geli_case(h, "return_request", "2025-06-02 10:00")
    h.act(case_id, STORE, local("2025-06-02 12:00", SHANGHAI), "decide", decision="approve")
    h.act(
        case_id,
        CONSUMER,
        local("2025-06-03 09:00", SHANGHAI),
        "ship_return",
        carrier="SF",
        waybill="SF123",
    )
    h.fires_at(case_id, local("2025-06-13 09:00", SHANGHAI), "Escalated")


def test_geli_return_not_processed_within_72_hours_of_receipt_is_escalated(h: Harness) -> None:
    case_id = geli_case(h, "return_request", "2025-06-02 10:00")
    h.act(case_id, STORE, local("2025-06-02 12:00", SHANGHAI), "decide", decision="approve")
    h.act(
        case_id,
        CONSUMER,
        local("2025-06-03 09:00", SHANGHAI),
        "ship_return",
        carrier="SF",
        waybill="SF123",
    )
    h.act(case_id, STORE, local("2025-06-05 15:00", SHANGHAI), "receive_return")
    # 72 h after receipt comes before 240 h after the waybill; the escalation ends both.
    h.fires_at(case_id, local("2025-06-08 15:00", SHANGHAI), "Escalated")
    assert h.run_due(local("2025-07-01 00:00", SHANGHAI)).fired == 0


# -- bigben ------------------------------------------------------------------------------------


def test_bigben_reply_within_24_work_hours_or_reminded(h: Harness) -> None:
    h.store("bigben", country="FR", timezone=PARIS)
    # Friday 18:00: 6 hours on Friday, Easter Monday is a French holiday, 18 on Tuesday.
    case_id = h.submit("bigben", "warranty_claim", local("2025-04-18 18:00", PARIS), currency="EUR")
    h.fires_at(case_id, local("2025-04-22 18:00", PARIS), "Reminded")


def test_bigben_refund_within_14_days_of_the_return_or_escalated(h: Harness) -> None:
    h.store("bigben", country="FR", timezone=PARIS)
    submitted = local("2025-10-15 10:00", PARIS)
    case_id = h.submit(
        "bigben",
        "return_request",
        submitted,
        currency="EUR",
        delivered_at=submitted - timedelta(days=5),
    )
    h.act(case_id, STORE, local("2025-10-15 11:00", PARIS), "respond", message="send it back")
    h.act(case_id, STORE, local("2025-10-20 12:00", PARIS), "receive_return")
    # 336 elapsed hours: summer time ends on 26 October, so 11:00 local, not 12:00.
    h.fires_at(case_id, local("2025-11-03 11:00", PARIS), "Escalated")


# -- buyippee ----------------------------------------------------------------------------------


def test_buyippee_claim_without_reply_within_7_days_is_escalated(h: Harness) -> None:
    h.store("buyippee", country="HK", timezone=HONG_KONG)
    case_id = h.submit(
        "buyippee",
        "lost_parcel",
        local("2025-06-02 10:00", HONG_KONG),
        amount="400.00",
        currency="HKD",
        plan="basic",
        declared_value="500",
    )
    h.fires_at(case_id, local("2025-06-09 10:00", HONG_KONG), "Escalated")
