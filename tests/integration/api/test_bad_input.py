"""Client mistakes get problem+json naming the field or rule, and record nothing."""

from __future__ import annotations

import pytest
from support.api_server import Api, case_body


@pytest.fixture(scope="module")
def consumer(api: Api):  # type: ignore[no-untyped-def]
    return api.as_role("consumer")


@pytest.fixture(scope="module")
def store_id(api: Api) -> str:
    return api.store("biggrey")


def _problem(answer, status: int) -> dict:  # type: ignore[no-untyped-def]
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    return body


def test_malformed_json(consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    answer = consumer.post(
        "/v1/cases",
        content=b'{"platform": "biggrey",',
        headers={"content-type": "application/json"},
    )
    assert _problem(answer, 422)["errors"]


def test_invalid_utf8(consumer) -> None:  # type: ignore[no-untyped-def]
    answer = consumer.post(
        "/v1/cases",
        content=b'{"description": "\xff\xfe"}',
        headers={"content-type": "application/json"},
    )
    assert "UTF-8" in _problem(answer, 400)["detail"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("platform", "amazon"),
        ("kind", "refund_please"),
        ("description", 42),
        ("description", ""),
        ("store_id", "../../etc/passwd"),
        ("store_id", "a\x00b"),
        ("plan", "gold"),
        ("language", "not a language"),
    ],
)
def test_wrong_values_name_the_field(consumer, store_id: str, field: str, value: object) -> None:  # type: ignore[no-untyped-def]
    body = case_body("biggrey", store_id, "warranty_claim")
    body[field] = value
    problem = _problem(consumer.post("/v1/cases", json=body), 422)
    assert any(e["field"] == field for e in problem["errors"]), problem


def test_unknown_fields_are_refused(consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    body = case_body("biggrey", store_id, "warranty_claim", priority="high")
    problem = _problem(consumer.post("/v1/cases", json=body), 422)
    assert problem["errors"][0]["field"] == "priority"


@pytest.mark.parametrize(
    "amount", ["NaN", "Infinity", "-5.00", "0", "1e3", "12.345", "9" * 400, "1,000.00", 120.5]
)
def test_amounts_must_be_positive_decimal_strings_in_the_currencys_exponent(
    consumer, store_id: str, amount: object
) -> None:  # type: ignore[no-untyped-def]
    body = case_body("biggrey", store_id, "warranty_claim", order={"amount": amount})
    problem = _problem(consumer.post("/v1/cases", json=body), 422)
    assert problem["errors"][0]["field"].startswith("order")


def test_three_decimal_places_are_fine_for_a_three_decimal_currency(
    consumer, store_id: str
) -> None:  # type: ignore[no-untyped-def]
    body = case_body(
        "biggrey", store_id, "warranty_claim", order={"amount": "12.345", "currency": "KWD"}
    )
    assert consumer.post("/v1/cases", json=body).status_code == 201


def test_timestamps_need_an_offset(consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    body = case_body(
        "biggrey", store_id, "warranty_claim", order={"completed_at": "2026-11-20T10:00:00"}
    )
    _problem(consumer.post("/v1/cases", json=body), 422)


def test_oversized_bodies_are_413(consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    body = case_body("biggrey", store_id, "warranty_claim", description="x" * (70 * 1024))
    _problem(consumer.post("/v1/cases", json=body), 413)


def test_deeply_nested_json_is_refused(consumer) -> None:  # type: ignore[no-untyped-def]
    nested = "[" * 5000 + "]" * 5000
    answer = consumer.post(
        "/v1/cases", content=nested.encode(), headers={"content-type": "application/json"}
    )
    _problem(answer, 400)


def test_non_ascii_text_round_trips(consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    text = "屏幕坏了 — l'écran est cassé — 🙂"
    created = consumer.post(
        "/v1/cases",
        json=case_body("biggrey", store_id, "warranty_claim", description=text, language="zh-CN"),
    )
    assert created.status_code == 201
    assert consumer.get(f"/v1/cases/{created.json()['id']}").json()["description"] == text


@pytest.mark.parametrize(
    "case_id",
    ["..%2F..%2Fetc%2Fpasswd", "not-a-uuid", "%00", "00000000-0000-0000-0000-000000000000"],
)
def test_odd_case_ids_are_404(consumer, case_id: str) -> None:  # type: ignore[no-untyped-def]
    _problem(consumer.get(f"/v1/cases/{case_id}"), 404)
    _problem(consumer.post(f"/v1/cases/{case_id}/messages", json={"body": "x"}), 404)


def test_unknown_routes_and_methods_are_problems(consumer) -> None:  # type: ignore[no-untyped-def]
    _problem(consumer.get("/v1/nothing"), 404)
    _problem(consumer.delete("/v1/cases"), 405)


def test_a_refused_command_records_nothing(api: Api, consumer, store_id: str) -> None:  # type: ignore[no-untyped-def]
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")).json()
    refused = consumer.post(f"/v1/cases/{case['id']}/approve")
    assert _problem(refused, 422)["rule"] == "not_allowed_in_status"
    history = consumer.get(f"/v1/cases/{case['id']}/history").json()["events"]
    assert len(history) == 1
