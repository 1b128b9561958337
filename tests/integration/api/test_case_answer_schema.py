"""Every answer carrying a case matches `CasePublic` as OpenAPI documents it, strictly: each
object in the schema is closed (`additionalProperties: false` where the schema lists its
properties), so a field the answer gives and the schema does not document fails, and so does
a documented field missing, mistyped or null where the schema says it never is. The answers
come from a real server: the filing (POST), the read served in front of FastAPI, the route's
read (point in time, in a reader's language) and each command route.

Validated with schemathesis' response check (`APIOperation.validate_response`)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from support.api_server import Api, case_body, recent

from services.case_api.app import api_schema

CASE_READ = "/v1/cases/{case_id}"


def closed(node: Any) -> Any:
    """The document with every object that lists its properties closed to any others."""
    if isinstance(node, dict):
        if "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
        for value in node.values():
            closed(value)
    elif isinstance(node, list):
        for value in node:
            closed(value)
    return node


@pytest.fixture(scope="module")
def strict() -> Any:
    return schemathesis.openapi.from_dict(closed(copy.deepcopy(api_schema())))


class Checked:
    """Sends requests and checks each successful answer against its operation's schema."""

    def __init__(self, strict: Any, client: httpx.Client) -> None:
        self.strict, self.client = strict, client
        self.seen: set[str] = set()

    def post(self, path: str, template: str, **kwargs: Any) -> dict[str, Any]:
        return self._check(self.client.post(path, **kwargs), template, "POST")

    def get(self, path: str, **kwargs: Any) -> dict[str, Any]:
        return self._check(self.client.get(path, **kwargs), CASE_READ, "GET")

    def command(self, case_id: str, name: str, **kwargs: Any) -> dict[str, Any]:
        return self.post(f"/v1/cases/{case_id}/{name}", f"{CASE_READ}/{name}", **kwargs)

    def _check(self, answer: httpx.Response, template: str, method: str) -> dict[str, Any]:
        assert answer.status_code in (200, 201), answer.text
        self.strict[template][method].validate_response(answer)
        self.seen.add(f"{method} {template}")
        body: dict[str, Any] = answer.json()
        return body


@pytest.fixture
def as_role(api: Api, strict: Any) -> Iterator[Any]:
    def checked(role: str, stores: list[str] | None = None) -> Checked:
        return Checked(strict, api.as_role(role, stores=stores))

    yield checked


def _file(api: Api, as_role: Any, platform: str, kind: str, **extra: Any) -> tuple[str, Any, Any]:
    store_id = api.store(platform)
    consumer, store = as_role("consumer"), as_role("store", [store_id])
    case = consumer.post(
        "/v1/cases", "/v1/cases", json=case_body(platform, store_id, kind, **extra)
    )
    return case["id"], consumer, store


def test_a_case_read_every_way_matches_the_documented_schema(api: Api, as_role: Any) -> None:
    case_id, consumer, store = _file(api, as_role, "biggrey", "warranty_claim")
    store.command(case_id, "respond", json={"message": "We are looking into it."})
    consumer.command(case_id, "messages", json={"body": "Thank you.", "language": "en"})
    fast = consumer.get(f"/v1/cases/{case_id}")  # served in front of FastAPI
    assert fast["messages"][0]["body"] == "We are looking into it."
    past = consumer.get(f"/v1/cases/{case_id}", params={"version": 1})
    assert past["version"] == 1
    shown = consumer.get(f"/v1/cases/{case_id}", headers={"Accept-Language": "en"})
    assert shown["display_description"] == shown["description"]
    assert all(m["display_body"] == m["body"] for m in shown["messages"])


def test_a_proposal_a_rejection_and_a_ruling_match_the_documented_schema(
    api: Api, as_role: Any
) -> None:
    case_id, consumer, store = _file(api, as_role, "biggrey", "warranty_claim")
    staff = as_role("staff")
    proposed = store.command(
        case_id, "close", json={"decision": "refund", "note": "Partly.", "refund_amount": "20.00"}
    )
    assert proposed["proposal"]["refund_amount"] == "20.00"
    consumer.command(case_id, "reject", json={"explanation": "Not enough."})
    staff.command(case_id, "escalate", json={"reason": "stuck"})
    ruled = staff.command(
        case_id,
        "ruling",
        json={"in_favour_of": "consumer", "refund_amount": "50.00", "payer": "store", "note": "ok"},
    )
    assert ruled["ruling"]["in_favour_of"] == "consumer"
    assert ruled["refunds"][0]["amount"] == "50.00"
    assert ruled["resolution"] == "ruled_for_consumer"


def test_a_return_a_suspension_and_a_settlement_match_the_documented_schema(
    api: Api, as_role: Any
) -> None:
    case_id, consumer, store = _file(api, as_role, "geli", "return_request")
    store.command(case_id, "decision", json={"decision": "approve"})
    shipped = consumer.command(
        case_id, "return-shipment", json={"carrier": "SF Express", "waybill": "SF123"}
    )
    assert shipped["return_shipment"]["waybill"] == "SF123"
    assert store.command(case_id, "return-received")["return_received"] is True

    staff = as_role("staff")
    case_id, _consumer, _store = _file(
        api, as_role, "globalbuy", "refund_only", order={"completed_at": recent()}
    )
    suspended = staff.command(case_id, "suspend", json={"reason": "judicial"})
    assert suspended["paused_deadlines"]
    staff.command(case_id, "suspension-proof", json={"reference": "C-1", "authority": "court"})
    staff.command(case_id, "resume")

    case_id, _consumer, _store = _file(api, as_role, "biggrey", "complaint")
    settled = staff.command(case_id, "settlement", json={"reference": "S-1"})
    assert settled["settlement"]["reference"] == "S-1"
    assert settled["certified_store"] is True


def test_an_undocumented_or_missing_field_fails_the_check(api: Api, strict: Any) -> None:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    answer = consumer.get(f"/v1/cases/{filed.json()['id']}")
    strict[CASE_READ]["GET"].validate_response(answer)
    extra = {**answer.json(), "undocumented": 1}
    missing = {k: v for k, v in answer.json().items() if k != "return_received"}
    for body in (extra, missing):
        altered = httpx.Response(200, json=body, request=answer.request)
        altered.elapsed = answer.elapsed  # schemathesis reads how long it took
        with pytest.raises(AssertionError):
            strict[CASE_READ]["GET"].validate_response(altered)
