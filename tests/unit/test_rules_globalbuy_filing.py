"""Globalbuy filing rules of PLATFORMS.md (2nd ed.): one test per row."""

from __future__ import annotations

import pytest
from support.builders import refused, submit


@pytest.mark.parametrize("marked", [None, False])
def test_globalbuy_seven_day_return_needs_goods_marked_no_reason_return(
    marked: bool | None,
) -> None:
    error = refused(
        "not_eligible", None, submit, "globalbuy", "seven_day_return",
        fields={"no_reason_return": marked},
    )  # fmt: skip
    assert "no_reason_return" in error.detail and "must be true" in error.detail


def test_globalbuy_seven_day_return_of_goods_marked_so_is_accepted() -> None:
    case = submit("globalbuy", "seven_day_return", fields={"no_reason_return": True})
    assert case.fields["no_reason_return"] is True


def test_globalbuy_other_kinds_need_no_no_reason_mark() -> None:
    assert submit("globalbuy", "return_request").kind == "return_request"
