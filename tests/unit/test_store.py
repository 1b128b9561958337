"""The Store aggregate and the process that keeps it in step with its Biggrey cases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.builders import MONDAY, STAFF, by, calendar_of, fire, order, policy, refused, submit

from domain.actors import SCHEDULER, Actor, By
from domain.case import Case
from domain.money import Money
from domain.store import Store, months_later, react_to_case, store_uuid

ADMIN = {"role": "admin", "id": "root"}
SYSTEM = SCHEDULER.as_dict()


def store(certified: bool = True) -> Store:
    return Store(
        store_id="s1",
        platform="biggrey",
        name="Gadgets Ltd",
        certified=certified,
        country="GB",
        timezone="Europe/London",
        occurred_at=MONDAY,
        actor=ADMIN,
    )


def store_events(shop: Store) -> list[str]:
    return [type(e).__name__ for e in shop.pending_events]


def warned_case() -> Case:
    """A certified store's case that missed the first response and the extra time."""
    case = submit("biggrey", "warranty_claim", certified=True)
    fire(case, "first_response")
    fire(case, "extra_time")
    return case


def test_a_store_registers_with_its_platform_calendar_and_certificate() -> None:
    shop = store()
    assert shop.id == store_uuid("s1") == Store.create_id("s1")
    assert shop.as_dict() == {
        "id": "s1",
        "platform": "biggrey",
        "name": "Gadgets Ltd",
        "certified": True,
        "country": "GB",
        "subdivision": None,
        "timezone": "Europe/London",
        "language": "en",  # none chosen: the country's main language
        "contact_hours": None,  # the platform's
        "warnings": 0,
        "warnings_total": 0,
        "reapply_after": None,
        "revocation_reason": None,
        "version": 1,
    }
    assert store_events(shop) == ["StoreRegistered"]


def test_a_warning_on_a_case_warns_its_store() -> None:
    shop, case = store(), warned_case()
    assert react_to_case(shop, case, case.pending_events)
    assert store_events(shop)[-1] == "StoreWarned"
    assert shop.warnings == [
        {
            "case_id": str(case.id),
            "count": 1,
            "at": case.pending_events[-2].occurred_at,
            "reason": None,
        }
    ]
    assert shop.certified


def test_three_warnings_revoke_a_certificate_and_the_store_may_reapply_at_once() -> None:
    shop = store()
    for day in (1, 2, 3):
        shop.warn(f"case-{day}", MONDAY + timedelta(days=day), SYSTEM)
    assert store_events(shop)[-2:] == ["StoreWarned", "CertificateRevoked"]
    assert (shop.certified, shop.revocation_reason) == (False, "three_warnings")
    assert shop.reapply_after is None  # the 12-month bar is for a payout without settlement
    shop.certify(MONDAY + timedelta(days=3, hours=1), STAFF.as_dict(), "fixes documented")
    assert shop.as_dict()["certified"] and shop.as_dict()["warnings"] == 0


def test_staff_warn_a_store_by_hand_and_it_counts_towards_the_three() -> None:
    shop = store()
    shop.warn(None, MONDAY, STAFF.as_dict(), reason="fake reviews")
    shop.warn(None, MONDAY + timedelta(days=1), STAFF.as_dict(), reason="slow answers")
    assert shop.warnings[-1]["reason"] == "slow answers"
    shop.warn("case-3", MONDAY + timedelta(days=2), SYSTEM)
    assert not shop.certified


def test_staff_revoke_at_once_for_cheating_without_a_bar() -> None:
    shop = store()
    shop.revoke("cheating", MONDAY, STAFF.as_dict())
    assert (shop.certified, shop.revocation_reason, shop.reapply_after) == (
        False,
        "cheating",
        None,
    )


def test_a_protection_payout_after_an_internal_settlement_spares_the_certificate() -> None:
    shop, case = store(), warned_case()
    case.record_settlement(policy("biggrey"), by(STAFF, MONDAY + timedelta(days=9)), "S-42")
    react_to_case(shop, case, case.collect_events())
    fire(case, "protection")
    assert case.resolution == "protection_refund"  # the consumer is paid all the same
    assert not react_to_case(shop, case, case.collect_events())
    assert shop.certified


def test_an_imported_cases_overdue_deadlines_never_penalise_the_store() -> None:
    long_ago = MONDAY - timedelta(days=200)
    case = Case.submit(
        policy("biggrey"),
        By(Actor("staff", "importer"), long_ago, MONDAY),
        store_id="s1",
        consumer_id="c1",
        kind="warranty_claim",
        order=order(),
        description="imported",
        calendar=calendar_of("biggrey"),
        certified=True,
    )
    while case.deadlines and case.deadlines[0].due_at < MONDAY:
        due = case.deadlines[0]
        assert case.time_out(policy("biggrey"), due.id, MONDAY)
    assert case.resolution == "protection_refund"  # overdue deadlines fired and were recorded
    shop = store()
    assert not react_to_case(shop, case, case.pending_events)
    assert (shop.certified, shop.warnings) == (True, [])


def test_two_warnings_keep_the_certificate() -> None:
    shop = store()
    shop.warn("case-1", MONDAY, SYSTEM)
    shop.warn("case-2", MONDAY, SYSTEM)
    assert shop.certified


def test_a_protection_payout_without_settlement_revokes_the_certificate() -> None:
    shop, case = store(), warned_case()
    react_to_case(shop, case, case.collect_events())
    fire(case, "protection")
    assert react_to_case(shop, case, case.collect_events())
    paid_at = case.refunds[0]["at"]
    assert (shop.certified, shop.revocation_reason) == (
        False,
        "protection_payout_without_settlement",
    )
    assert shop.reapply_after == months_later(paid_at, 12)


def test_a_store_refund_revokes_nothing() -> None:
    shop, case = store(), submit("biggrey", "warranty_claim", certified=True)
    case.refund(policy("biggrey"), by(STAFF, MONDAY), Money.of("10", "USD"), "store")
    assert not react_to_case(shop, case, case.pending_events)
    assert shop.certified


def test_a_revoked_store_paying_out_again_changes_nothing_more() -> None:
    shop = store()
    shop.revoke("three_warnings", MONDAY, SYSTEM)
    case = warned_case()
    fire(case, "protection")
    react_to_case(shop, case, case.pending_events)
    assert shop.revocation_reason == "three_warnings"
    assert store_events(shop).count("CertificateRevoked") == 1


def test_a_store_barred_after_a_payout_may_apply_again_only_after_12_months() -> None:
    shop = store()
    shop.revoke("protection_payout_without_settlement", MONDAY, SYSTEM, bar=True)
    refused("not_yet_allowed", None, shop.certify, MONDAY + timedelta(days=364), ADMIN)
    shop.certify(months_later(MONDAY, 12), ADMIN)
    assert (shop.certified, shop.revocation_reason) == (True, None)
    assert store_events(shop)[-1] == "CertificateGranted"


def test_a_certificate_granted_again_starts_a_fresh_count_of_warnings() -> None:
    shop = store()
    for day in (1, 2, 3):
        shop.warn(f"case-{day}", MONDAY + timedelta(days=day), SYSTEM)
    shop.certify(MONDAY + timedelta(days=400), ADMIN)
    shop.warn("case-4", MONDAY + timedelta(days=401), SYSTEM)
    shop.warn("case-5", MONDAY + timedelta(days=402), SYSTEM)
    assert shop.certified
    assert shop.as_dict()["warnings_total"] == 5  # the record keeps every warning
    assert shop.as_dict()["warnings"] == 2  # a granted certificate resets the count
    shop.warn("case-6", MONDAY + timedelta(days=403), SYSTEM)
    assert not shop.certified


def test_warnings_of_a_non_certified_store_revoke_nothing() -> None:
    shop = store(certified=False)
    for day in (1, 2, 3, 4):
        shop.warn(f"case-{day}", MONDAY + timedelta(days=day), SYSTEM)
    assert "CertificateRevoked" not in store_events(shop)


def test_a_store_without_certificate_cannot_lose_or_regain_what_it_has_not() -> None:
    refused("not_allowed_in_status", None, store(certified=False).revoke, "x", MONDAY, SYSTEM)
    refused("not_allowed_in_status", None, store().certify, MONDAY, ADMIN)


def test_events_that_do_not_concern_the_store_change_nothing() -> None:
    case = submit("biggrey", "warranty_claim", the_order=order())
    assert not react_to_case(store(), case, case.pending_events)


@pytest.mark.parametrize(
    ("instant", "months", "expected"),
    [
        (datetime(2026, 11, 23, 10, tzinfo=UTC), 12, datetime(2027, 11, 23, 10, tzinfo=UTC)),
        (datetime(2028, 2, 29, tzinfo=UTC), 12, datetime(2029, 2, 28, tzinfo=UTC)),
        (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
        (datetime(2026, 12, 15, tzinfo=UTC), 1, datetime(2027, 1, 15, tzinfo=UTC)),
    ],
)
def test_months_later_keeps_the_day_or_the_last_day_of_a_shorter_month(
    instant: datetime, months: int, expected: datetime
) -> None:
    assert months_later(instant, months) == expected
