"""Buyippee filing rules of PLATFORMS.md (2nd ed.): documents, declared value, registration,
what a claim covers and free-return eligibility. One test per row; each refusal files nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
from support.builders import CONSUMER, MONDAY, by, calendar_of, order, refused, submit
from support.filings import CLAIM_DOCUMENTS, RETURN_DOCUMENTS

from domain.case import Case
from domain.filing import Order
from domain.policies import parse_policy

ARRIVED = MONDAY - timedelta(days=40)


def file(kind: str = "lost_parcel", plan: str | None = "basic", **fields: Any) -> Case:
    """A buyippee filing: receipt HKD 1,000 declared at its value, delivered yesterday; with
    `registered_at`, the parcel reached the overseas warehouse at ARRIVED."""
    registered_at = fields.pop("registered_at", None)
    the_order = Order(
        "order-1",
        Decimal("1000.00"),
        "HKD",
        delivered_at=MONDAY - timedelta(days=1),
        warehouse_arrived_at=ARRIVED if registered_at else None,
        registered_at=registered_at,
    )
    return submit(
        "buyippee",
        kind,
        the_order=the_order,
        fields={"plan": plan, "declared_value": "1000.00", **fields},
    )


def free_return(**fields: Any) -> Case:
    return file("return_request", fields.pop("plan", "plus"), **fields)


# -- documents ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lost_parcel", "damaged_parcel"])
@pytest.mark.parametrize("missing", CLAIM_DOCUMENTS)
def test_buyippee_claim_without_one_of_its_documents_is_refused_naming_it(
    kind: str, missing: str
) -> None:
    given = [d for d in CLAIM_DOCUMENTS if d != missing]
    error = refused("documents_missing", None, file, kind, documents=given)
    assert f"missing documents {missing}:" in error.detail


def test_buyippee_claim_without_documents_names_every_one() -> None:
    error = refused("documents_missing", None, file, documents=None)
    assert f"missing documents {', '.join(CLAIM_DOCUMENTS)}:" in error.detail


@pytest.mark.parametrize("missing", RETURN_DOCUMENTS)
def test_buyippee_return_request_without_one_of_its_documents_is_refused_naming_it(
    missing: str,
) -> None:
    given = [d for d in RETURN_DOCUMENTS if d != missing]
    error = refused("documents_missing", None, free_return, documents=given)
    assert f"missing documents {missing}:" in error.detail


def test_buyippee_extra_documents_do_no_harm() -> None:
    assert file(documents=[*CLAIM_DOCUMENTS, "customs_form"]).kind == "lost_parcel"


# -- declared value ----------------------------------------------------------------------------


def test_buyippee_return_request_whose_declared_value_is_below_the_receipt_is_refused() -> None:
    error = refused("declared_below_receipt", None, free_return, declared_value="999.99")
    assert "999.99" in error.detail and "1000.00" in error.detail


def test_buyippee_return_request_names_its_plan() -> None:
    error = refused("invalid_field", None, free_return, plan=None)
    assert error.field == "plan"  # type: ignore[attr-defined]


# -- warehouse registration --------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["lost_parcel", "damaged_parcel"])
def test_buyippee_parcel_registered_over_30_days_after_reaching_the_warehouse_has_no_claim(
    kind: str,
) -> None:
    assert file(kind, registered_at=ARRIVED + timedelta(days=30)).kind == kind
    error = refused(
        "not_eligible", None, file, kind, registered_at=ARRIVED + timedelta(days=30, seconds=1)
    )
    assert "30 days" in error.detail and "registered_at" in error.detail


# -- what a claim covers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "named"),
    [({"lost_at": "before_warehouse"}, "lost_at"), ({"partial": True}, "partial")],
)
def test_buyippee_parcel_lost_before_the_warehouse_or_in_part_is_not_covered(
    fields: dict[str, Any], named: str
) -> None:
    error = refused("not_eligible", None, file, "lost_parcel", **fields)
    assert named in error.detail and "reshipment" in error.detail


def test_buyippee_whole_parcel_lost_after_the_warehouse_is_covered() -> None:
    case = file("lost_parcel", lost_at="after_warehouse", partial=False)
    assert case.kind == "lost_parcel"


@pytest.mark.parametrize("content", ["liquid", "dangerous", "prohibited"])
def test_buyippee_damaged_parcel_holding_liquids_dangerous_or_prohibited_goods_is_not_covered(
    content: str,
) -> None:
    error = refused("not_eligible", None, file, "damaged_parcel", contents=["shoes", content])
    assert content in error.detail


@pytest.mark.parametrize("packaging", ["plastic_bag", "envelope", None])
def test_buyippee_damaged_parcel_not_in_a_cardboard_or_wooden_box_is_not_covered(
    packaging: str | None,
) -> None:
    error = refused("not_eligible", None, file, "damaged_parcel", packaging=packaging)
    assert "packaging" in error.detail and "cardboard or wooden" in error.detail


def test_buyippee_damaged_parcel_in_a_wooden_box_is_covered() -> None:
    assert file("damaged_parcel", packaging="wooden").kind == "damaged_parcel"


def test_buyippee_fragile_goods_without_proper_protection_are_not_covered() -> None:
    fragile = {"contents": ["glassware", "fragile"]}
    error = refused("not_eligible", None, file, "damaged_parcel", **fragile)
    assert "fragile_protection" in error.detail
    refused("not_eligible", None, file, "damaged_parcel", **fragile, fragile_protection=False)
    assert file("damaged_parcel", **fragile, fragile_protection=True).kind == "damaged_parcel"


@pytest.mark.parametrize("plan", ["plus", "super_care"])
@pytest.mark.parametrize("kind", ["lost_parcel", "damaged_parcel"])
def test_buyippee_plus_and_super_care_cover_new_goods_only(plan: str, kind: str) -> None:
    error = refused("not_eligible", None, file, kind, plan, condition="used")
    assert "new goods only" in error.detail
    assert file(kind, plan, condition="new").kind == kind


def test_buyippee_basic_plan_covers_used_goods() -> None:
    assert file("lost_parcel", "basic", condition="used").kind == "lost_parcel"


# -- free return -------------------------------------------------------------------------------


@pytest.mark.parametrize("country", ["US", "GB", "DE", "AU", "TW", "JP"])
def test_buyippee_free_return_from_a_listed_country_is_accepted(country: str) -> None:
    assert free_return(origin_country=country).kind == "return_request"


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"plan": "basic"}, "plan"),
        ({"origin_country": "CN"}, "origin_country"),
        ({"origin_country": None}, "origin_country is missing"),
        ({"seller_accepts_return": False}, "seller_accepts_return"),
        ({"seller_accepts_return": None}, "seller_accepts_return is missing"),
        ({"contents": ["battery"]}, "battery"),
        ({"contents": ["book", "liquid"]}, "liquid"),
        ({"contents": ["food"]}, "food"),
        ({"contents": ["drink"]}, "drink"),
    ],
)
def test_buyippee_free_return_outside_its_conditions_is_not_eligible(
    fields: dict[str, Any], named: str
) -> None:
    error = refused("not_eligible", None, free_return, **fields)
    assert named in error.detail


def test_an_operator_may_change_the_free_return_countries_in_the_policy_data() -> None:
    text = resources.files("domain.policies").joinpath("buyippee.toml").read_text("utf-8")
    old = 'origin_country = ["US", "GB", "DE", "AU", "TW", "JP"]'
    assert old in text
    changed = parse_policy("buyippee.toml", text.replace(old, 'origin_country = ["CN"]'))
    case = Case.submit(
        changed,
        by(CONSUMER, MONDAY),
        store_id="s1",
        consumer_id="c1",
        kind="return_request",
        order=order("1000.00", "HKD", delivered_at=MONDAY - timedelta(days=1)),
        description="x",
        calendar=calendar_of("buyippee"),
        certified=False,
        fields={
            "plan": "plus",
            "declared_value": "1000.00",
            "documents": RETURN_DOCUMENTS,
            "origin_country": "CN",
            "seller_accepts_return": True,
        },
    )
    assert case.fields["origin_country"] == "CN"
