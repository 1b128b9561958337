"""Policies are data: five validated files; mistakes name the file and field; operators can
change an assumed value without touching code."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path

import pytest
from support.builders import CONSUMER, MONDAY, by, calendar_of, order

from domain.case import Case
from domain.errors import PolicyError
from domain.policies import PLATFORMS, default_policies, load_policies, parse_policy
from domain.policies.schema import Duration


def shipped(platform: str) -> str:
    return resources.files("domain.policies").joinpath(f"{platform}.toml").read_text("utf-8")


def test_every_platform_has_a_valid_policy_file() -> None:
    policies = default_policies()
    assert tuple(policies) == PLATFORMS == ("biggrey", "globalbuy", "geli", "bigben", "buyippee")
    for name, policy in policies.items():
        assert policy.platform == name
        assert policy.seed.endswith(".txt")


def test_an_operator_may_change_an_assumed_value_in_the_policy_data() -> None:
    text = shipped("globalbuy").replace("after = { hours = 48 }", "after = { hours = 72 }")
    globalbuy = parse_policy("globalbuy.toml", text)
    case = Case.submit(
        globalbuy,
        by(CONSUMER, MONDAY),
        store_id="s1",
        consumer_id="c1",
        kind="return_request",
        order=order(completed_at=MONDAY),
        description="x",
        calendar=calendar_of("globalbuy"),
        certified=False,
    )
    assert case.deadlines[0].due_at == MONDAY + timedelta(hours=72)


def test_a_missing_policy_file_is_named() -> None:
    with pytest.raises(PolicyError, match=r"biggrey\.toml: missing policy file"):
        load_policies(Path("/nonexistent/policies"))


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ('start = ["Submitted"]', 'start = ["Submited"]'),
            r"globalbuy.toml: deadlines.0.start: unknown event or timeout 'Submited'",
        ),
        (
            ("after = { hours = 48 }", "after = { hours = 48, days = 2 }"),
            r"globalbuy.toml: deadlines.0.after: .*exactly one",
        ),
        (('action = "auto_approve"', 'action = "shrug"'), r"globalbuy.toml: deadlines.0.action"),
        (('platform = "globalbuy"', 'platform = "geli"'), r"does not match the file name"),
        (('hours = "360"', 'hours = "-1"'), r"globalbuy.toml: filing_windows.0.hours"),
        (
            (
                'kinds = ["return_request", "refund_only", "exchange_request", "seven_day_return", '
                '"complaint"]',
                'kinds = ["warranty_claim"]',
            ),
            r"filing window names kinds the policy does not offer",
        ),
        (("[calendar]", "[calendar]\nholidays = []"), r"calendar.holidays: Extra inputs"),
    ],
)
def test_a_malformed_policy_names_the_file_and_the_field(
    edit: tuple[str, str], message: str
) -> None:
    old, new = edit
    text = shipped("globalbuy")
    assert old in text
    with pytest.raises(PolicyError, match=message):
        parse_policy("globalbuy.toml", text.replace(old, new, 1))


def test_a_policy_that_is_not_toml_is_named() -> None:
    with pytest.raises(PolicyError, match=r"geli\.toml: not valid TOML"):
        parse_policy("geli.toml", "kinds = [")


def test_an_unknown_condition_is_refused() -> None:
    text = shipped("biggrey").replace('when = ["certified"]', 'when = ["famous"]', 1)
    with pytest.raises(PolicyError, match="unknown condition 'famous'"):
        parse_policy("biggrey.toml", text)


@pytest.mark.parametrize(
    ("given", "unit", "value"),
    [
        ({"work_days": 3}, "work_days", Decimal(3)),
        ({"work_hours": "7.5"}, "work_hours", Decimal("7.5")),
        ({"business_minutes": 90}, "business_minutes", Decimal(90)),
        ({"hours": 48}, "hours", Decimal(48)),
        ({"days": "0.5"}, "days", Decimal("0.5")),
        ({"months": 6}, "months", Decimal(6)),
    ],
)
def test_a_duration_names_its_one_unit_and_amount(
    given: dict[str, object], unit: str, value: Decimal
) -> None:
    duration = Duration.model_validate(given)
    # Read once when made: a copy, and a policy loaded again, answer the same.
    for same in (duration, duration.model_copy(), Duration.model_validate(duration.model_dump())):
        assert (same.unit, same.value) == (unit, value)
        assert same == duration
    # Nothing beside the six fields shows when the duration is listed or written out.
    assert [name for name, _ in duration] == list(Duration.model_fields)
    assert {k for k, v in duration.model_dump().items() if v is not None} == {unit}
