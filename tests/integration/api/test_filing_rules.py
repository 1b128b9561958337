"""The filing rules of PLATFORMS.md (2nd ed.) over HTTP: each refusal is a 422 naming its rule,
its detail says what to fix, and nothing is recorded (the consumer's feed stays empty)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.api_server import Api, case_body, recent
from support.filings import CLAIM_DOCUMENTS, RETURN_DOCUMENTS


def refused(answer: httpx.Response, rule: str, *named: str) -> dict[str, Any]:
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem: dict[str, Any] = answer.json()
    assert problem["rule"] == rule, problem
    for text in named:
        assert text in problem["detail"], problem
    return problem


def feed_types(consumer: httpx.Client) -> list[str]:
    answer = consumer.get("/v1/events")
    assert answer.status_code == 200, answer.text
    return [item["type"] for item in answer.json()["items"]]


@pytest.fixture
def consumer(api: Api) -> httpx.Client:
    return api.as_role("consumer")


def test_seven_day_return_of_goods_not_marked_no_reason_is_not_eligible(
    api: Api, consumer: httpx.Client
) -> None:
    store_id = api.store("globalbuy")
    order = {"completed_at": recent(30), "delivered_at": recent(20)}
    body = case_body("globalbuy", store_id, "seven_day_return", order=order)
    refused(
        consumer.post("/v1/cases", json={**body, "no_reason_return": False}),
        "not_eligible",
        "no_reason_return",
    )
    unmarked = {k: v for k, v in body.items() if k != "no_reason_return"}
    refused(consumer.post("/v1/cases", json=unmarked), "not_eligible", "no_reason_return")
    assert feed_types(consumer) == []
    filed = consumer.post("/v1/cases", json=body)
    assert filed.status_code == 201, filed.text
    assert filed.json()["fields"]["no_reason_return"] is True


def test_geli_seven_day_return_filed_400_days_late_or_of_fresh_food_is_refused(
    api: Api, consumer: httpx.Client
) -> None:
    store_id = api.store("geli", country="CN", timezone="Asia/Shanghai")
    late = case_body("geli", store_id, "seven_day_return", order={"delivered_at": recent(24 * 400)})
    refused(consumer.post("/v1/cases", json=late), "filing_window", "too late")
    fresh = case_body(
        "geli",
        store_id,
        "seven_day_return",
        order={"delivered_at": recent(5)},
        goods_category="fresh_food",
    )
    refused(consumer.post("/v1/cases", json=fresh), "not_eligible", "fresh_food")
    assert feed_types(consumer) == []


def test_bigben_withdrawal_without_its_form_is_documents_missing(
    api: Api, consumer: httpx.Client
) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    body = case_body("bigben", store_id, "return_request", order={"delivered_at": recent(48)})
    del body["withdrawal_form"]
    refused(consumer.post("/v1/cases", json=body), "documents_missing", "withdrawal_form")
    assert feed_types(consumer) == []


def buyippee_body(store_id: str, kind: str, **extra: Any) -> dict[str, Any]:
    """A complete buyippee filing on Plus: HKD 1,000 declared at its value, delivered an hour
    ago; `extra` overrides fields, and `order` the order's."""
    order = {"amount": "1000.00", "currency": "HKD", "delivered_at": recent()}
    return case_body(
        "buyippee",
        store_id,
        kind,
        order=order | extra.pop("order", {}),
        plan=extra.pop("plan", "plus"),
        declared_value=extra.pop("declared_value", "1000.00"),
        **extra,
    )


def test_buyippee_filings_are_checked_for_documents_value_registration_and_coverage(
    api: Api, consumer: httpx.Client
) -> None:
    store_id = api.store("buyippee", country="HK", timezone="Asia/Hong_Kong")
    post = consumer.post
    refused(
        post("/v1/cases", json=buyippee_body(store_id, "lost_parcel", documents=["photos"])),
        "documents_missing",
        "purchase_record, seller_shipping_email, seller_correspondence",
    )
    refused(
        post("/v1/cases", json=buyippee_body(store_id, "return_request", declared_value="999")),
        "declared_below_receipt",
    )
    late_registration = {"warehouse_arrived_at": recent(24 * 45), "registered_at": recent(24 * 5)}
    refused(
        post("/v1/cases", json=buyippee_body(store_id, "lost_parcel", order=late_registration)),
        "not_eligible",
        "registered_at",
    )
    for kind, fields, named in [
        ("lost_parcel", {"lost_at": "before_warehouse"}, "lost_at"),
        ("lost_parcel", {"partial": True}, "partial"),
        ("damaged_parcel", {"contents": ["liquid"]}, "liquid"),
        ("damaged_parcel", {"packaging": "plastic_bag"}, "packaging"),
        ("damaged_parcel", {"contents": ["fragile"]}, "fragile_protection"),
        ("damaged_parcel", {"condition": "used"}, "new goods only"),
        ("return_request", {"origin_country": "CN"}, "origin_country"),
        ("return_request", {"plan": "basic"}, "plan"),
        ("return_request", {"seller_accepts_return": False}, "seller_accepts_return"),
        ("return_request", {"contents": ["battery"]}, "battery"),
    ]:
        refused(
            post("/v1/cases", json=buyippee_body(store_id, kind, **fields)), "not_eligible", named
        )
    assert feed_types(consumer) == []
    on_time = {"warehouse_arrived_at": recent(24 * 40), "registered_at": recent(24 * 20)}
    filed = post("/v1/cases", json=buyippee_body(store_id, "lost_parcel", order=on_time))
    assert filed.status_code == 201, filed.text
    assert filed.json()["fields"]["documents"] == CLAIM_DOCUMENTS
    returned = post("/v1/cases", json=buyippee_body(store_id, "return_request"))
    assert returned.status_code == 201, returned.text
    assert returned.json()["fields"]["documents"] == RETURN_DOCUMENTS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("documents", "photos"),
        ("documents", ["Photos!"]),
        ("origin_country", "usa"),
        ("condition", "worn"),
        ("lost_at", "somewhere"),
        ("seller_accepts_return", "maybe"),
    ],
)
def test_malformed_filing_fields_are_validation_errors_naming_the_field(
    api: Api, consumer: httpx.Client, field: str, value: object
) -> None:
    store_id = api.store("buyippee", country="HK", timezone="Asia/Hong_Kong")
    answer = consumer.post(
        "/v1/cases", json={**buyippee_body(store_id, "lost_parcel"), field: value}
    )
    assert answer.status_code == 422, answer.text
    assert field in {e["field"].split(".")[0] for e in answer.json()["errors"]}
