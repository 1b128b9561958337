"""Bigben filing rules of PLATFORMS.md (2nd ed.): one test per row."""

from __future__ import annotations

import pytest
from support.builders import refused, submit


@pytest.mark.parametrize("form", [None, ""])
def test_bigben_withdrawal_needs_the_signed_withdrawal_form(form: str | None) -> None:
    error = refused(
        "documents_missing", None, submit, "bigben", "return_request",
        fields={"withdrawal_form": form},
    )  # fmt: skip
    assert "withdrawal_form" in error.detail


def test_bigben_withdrawal_with_the_form_is_accepted() -> None:
    case = submit("bigben", "return_request", fields={"withdrawal_form": "uploads/form-7.pdf"})
    assert case.fields["withdrawal_form"] == "uploads/form-7.pdf"


@pytest.mark.parametrize("kind", ["warranty_claim", "complaint"])
def test_bigben_form_is_only_for_the_withdrawal(kind: str) -> None:
    assert submit("bigben", kind).kind == kind
