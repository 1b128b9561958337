"""Every value PLATFORMS.md marks as assumed is policy data an operator can change (item 6):
each row below names where it lives (test_policies shows a changed file changing what a case
gets). A new assumed value belongs in this table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.policies import default_policies

# (platform, deadline kind, its `when`, unit, value, action): the assumed value or consequence.
ASSUMED_DEADLINES = [
    ("biggrey", "reminder", ["not_certified"], "work_days", 2, "remind"),
    ("biggrey", "first_response", ["not_escalated"], "work_days", 2, "remind"),  # after a rejection
    ("biggrey", "consumer_close", ["not_certified"], "days", 30, "allow_consumer_close"),
    ("globalbuy", "merchant_decision", [], "hours", 48, "auto_approve"),
    ("geli", "review", ["not_kind:seven_day_return", "not_category:fresh_food"], "hours", 48,
     "escalate"),
    ("bigben", "reply", [], "work_hours", 24, "remind"),
    ("bigben", "refund", [], "hours", 336, "escalate"),
    ("buyippee", "reply", ["not_kind:return_request"], "hours", 168, "escalate"),
    ("globalbuy", "consumer_return", ["not_kind:refund_only"], "hours", 168, "close_gave_up"),
    ("globalbuy", "merchant_refund", [], "hours", 48, "auto_refund"),
]  # fmt: skip


@pytest.mark.parametrize(("platform", "kind", "when", "unit", "value", "action"), ASSUMED_DEADLINES)
def test_an_assumed_deadline_and_its_consequence_are_policy_fields(
    platform: str, kind: str, when: list[str], unit: str, value: int, action: str
) -> None:
    [rule] = [
        r for r in default_policies()[platform].deadlines if r.kind == kind and r.when == when
    ]
    assert (rule.after.unit, rule.after.value, rule.action) == (unit, Decimal(value), action)


def test_the_assumed_biggrey_calendar_is_a_policy_field() -> None:
    spec = default_policies()["biggrey"].calendar
    assert (spec.country, spec.timezone, spec.store_calendar) == ("GB", "Europe/London", True)


def test_the_assumed_geli_seven_day_window_is_a_policy_field() -> None:
    [window] = [
        w for w in default_policies()["geli"].filing_windows if "seven_day_return" in w.kinds
    ]
    assert (window.counted_from, window.hours) == ("day_after_delivery", Decimal(168))
