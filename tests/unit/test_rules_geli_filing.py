"""Geli filing rules of PLATFORMS.md (2nd ed.): one test per row."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from support.builders import SHANGHAI, local, order, refused, submit


def seven_day_return(filed_at: datetime, delivered_at: datetime, **fields: object) -> object:
    return submit(
        "geli",
        "seven_day_return",
        at=filed_at,
        the_order=order("100.00", "CNY", delivered_at=delivered_at),
        fields=dict(fields),
    )


def test_geli_seven_day_window_is_168_hours_from_midnight_after_signing() -> None:
    signed = local(2026, 11, 23, 15, zone=SHANGHAI)  # Monday afternoon
    closes = local(2026, 12, 1, zone=SHANGHAI)  # 00:00 Tuesday 24 + 168 h
    assert seven_day_return(closes, signed) is not None
    error = refused("filing_window", None, seven_day_return, closes + timedelta(seconds=1), signed)
    assert closes.astimezone(UTC).isoformat() in error.detail


def test_geli_seven_day_return_filed_400_days_late_is_refused() -> None:
    signed = local(2025, 10, 1, 12, zone=SHANGHAI)
    refused("filing_window", None, seven_day_return, signed + timedelta(days=400), signed)


def test_geli_seven_day_window_needs_the_signing_time() -> None:
    refused("invalid_field", None, seven_day_return, local(2026, 11, 23, zone=SHANGHAI), None)


@pytest.mark.parametrize("marked", [None, False])
def test_geli_seven_day_return_needs_goods_that_support_it(marked: bool | None) -> None:
    signed = local(2026, 11, 23, 15, zone=SHANGHAI)
    error = refused(
        "not_eligible", None, seven_day_return, signed + timedelta(days=1), signed,
        no_reason_return=marked,
    )  # fmt: skip
    assert "no_reason_return" in error.detail


@pytest.mark.parametrize("category", ["fresh_food", "perishable"])
def test_geli_fresh_and_perishable_goods_have_no_seven_day_return(category: str) -> None:
    signed = local(2026, 11, 23, 15, zone=SHANGHAI)
    error = refused(
        "not_eligible", None, seven_day_return, signed + timedelta(days=1), signed,
        goods_category=category,
    )  # fmt: skip
    assert category in error.detail


def test_geli_fresh_food_may_still_be_returned_by_an_ordinary_request() -> None:
    case = submit("geli", "return_request", fields={"goods_category": "fresh_food"})
    assert case.kind == "return_request"
