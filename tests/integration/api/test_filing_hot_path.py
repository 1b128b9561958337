"""POST /v1/cases in front of FastAPI (services.case_api.filing_hot_path): the plain filing is
served there with the route's own function; every other request reaches the route; a filing
once begun is answered there and never run twice.

A query string sends the same request to the route (the hot path takes none, the route ignores
an unknown one), so each answer here is compared with the route's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from support.api_server import Api, case_body

from services.application import Redress
from services.case_api import case_filing
from services.case_api.routes import cases as case_routes

ROUTED = {"via": "route"}
VOLATILE = ("id", "created_at", "updated_at", "deadlines", "order", "head_hash")  # per case


@pytest.fixture
def route_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry for each filing the FastAPI route made."""
    calls: list[int] = []
    real = case_routes.file_case

    async def counted(*args: Any) -> Any:
        calls.append(1)
        return await real(*args)

    monkeypatch.setattr(case_routes, "file_case", counted)
    return calls


def _comparable(answer: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in answer.items() if k not in VOLATILE}


def _problem(answer: dict[str, Any]) -> dict[str, Any]:
    """A problem body without its `instance` (each request's own)."""
    return {k: v for k, v in answer.items() if k != "instance"}


def test_a_plain_filing_is_served_in_front_of_the_route_as_the_route_serves_it(
    api: Api, route_calls: list[int]
) -> None:
    store_id = api.store("biggrey")
    for role, extra in (("consumer", {}), ("staff", {"consumer_id": "hot-path-imported"})):
        client = api.client(api.key(role, f"hot-path-{role}"))
        hot = client.post(
            "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim", **extra)
        )
        assert hot.status_code == 201, hot.text
        assert route_calls == []
        routed = client.post(
            "/v1/cases",
            params=ROUTED,
            json=case_body("biggrey", store_id, "warranty_claim", **extra),
        )
        assert routed.status_code == 201, routed.text
        assert route_calls == [1]
        route_calls.clear()
        assert _comparable(hot.json()) == _comparable(routed.json())
        assert hot.headers["content-type"] == routed.headers["content-type"]
        assert hot.headers["etag"] == routed.headers["etag"] == '"1"'
        assert hot.headers["location"] == f"/v1/cases/{hot.json()['id']}"
        assert "x-request-id" in hot.headers
        assert client.get(hot.headers["location"]).json() == hot.json()
    assert 'method="POST",route="/v1/cases",status="201"' in api.admin.get("/metrics").text


@pytest.mark.parametrize(
    ("role", "change", "status"),
    [
        ("consumer", {"consumer_id": "someone-else"}, 403),  # consumer_id is for staff imports
        ("staff", {}, 422),  # a staff import names the consumer
        ("consumer", {"store_id": "no-such-store"}, None),  # the application's refusal
        ("store", {}, 403),  # a store does not file cases
    ],
)
def test_a_refused_filing_gets_the_routes_answer(
    api: Api, route_calls: list[int], role: str, change: dict[str, Any], status: int | None
) -> None:
    store_id = api.store("biggrey")
    client = api.client(api.key(role, f"hot-path-refused-{role}", stores=[store_id]))
    body = {**case_body("biggrey", store_id, "warranty_claim"), **change}
    hot = client.post("/v1/cases", json=body)
    routed = client.post("/v1/cases", params=ROUTED, json=body)
    assert route_calls == [1]  # the hot path took the first and answered it itself
    assert hot.status_code == routed.status_code
    assert status is None or hot.status_code == status
    assert hot.status_code >= 400
    assert hot.headers["content-type"] == routed.headers["content-type"]
    assert hot.headers["content-type"] == "application/problem+json"
    assert _problem(hot.json()) == _problem(routed.json())


@pytest.mark.parametrize(
    "send",
    [
        pytest.param(lambda c, b: c.post("/v1/cases", json={**b, "kind": "nonsense"}), id="model"),
        pytest.param(lambda c, b: c.post("/v1/cases", content=b"{not json"), id="not-json"),
        pytest.param(lambda c, b: c.post("/v1/cases", json=[b]), id="not-an-object"),
        pytest.param(
            lambda c, b: c.post("/v1/cases", json=b, headers={"Authorization": "Bearer rdk_no_x"}),
            id="bad-key",
        ),
    ],
)
def test_a_request_the_hot_path_does_not_take_goes_to_the_route(
    api: Api, route_calls: list[int], send: Callable[[Any, dict[str, Any]], Any]
) -> None:
    store_id = api.store("biggrey")
    client = api.client(api.key("consumer", "hot-path-handed-over"))
    answer = send(client, case_body("biggrey", store_id, "warranty_claim"))
    assert answer.status_code in (400, 401, 422), answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert route_calls == []  # refused by FastAPI itself, before the route's function


@pytest.mark.parametrize(
    "failure",
    [
        pytest.param(psycopg.OperationalError("the server closed the connection"), id="outage"),
        pytest.param(RuntimeError("a bug"), id="bug"),
    ],
)
def test_a_filing_that_fails_once_begun_is_answered_and_not_run_again(
    api: Api, route_calls: list[int], monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    """Whether the commit happened is unknown after an outage: a second run would file a
    second case, so the failure is answered (503; a bug is a 500) by the application's
    handlers, as the route would answer it."""
    store_id = api.store("biggrey")
    key = api.key("consumer", "hot-path-failing")
    runs: list[int] = []

    def failing(*_args: Any) -> Any:
        runs.append(1)
        raise failure

    monkeypatch.setattr(Redress, "submit_case", failing)
    body = case_body("biggrey", store_id, "warranty_claim")
    answer = api.client(key).post("/v1/cases", json=body)
    assert runs == [1]
    assert route_calls == []
    assert answer.status_code == (503 if isinstance(failure, psycopg.Error) else 500)
    assert answer.headers["content-type"] == "application/problem+json"
    # uvicorn closes a connection whose request raised (the bug): a new one for the route's
    routed = api.client(key).post("/v1/cases", params=ROUTED, json=body)
    assert routed.status_code == answer.status_code
    assert _problem(routed.json()) == _problem(answer.json())


def test_an_idempotent_filing_encodes_its_case_once_and_replays_those_bytes(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The answer committed with an idempotent filing's events is the answer sent: the case is
    encoded once, and a retry with the same key gets the same bytes."""
    store_id = api.store("biggrey")
    client = api.client(api.key("consumer", "hot-path-idempotent"))
    built: list[int] = []
    real = case_filing.case_response

    def counted(*args: Any) -> Any:
        built.append(1)
        return real(*args)

    monkeypatch.setattr(case_filing, "case_response", counted)
    body, headers = case_body("biggrey", store_id, "warranty_claim"), {"Idempotency-Key": "once"}
    first = client.post("/v1/cases", json=body, headers=headers)
    assert first.status_code == 201, first.text
    assert built == [1]
    again = client.post("/v1/cases", json=body, headers=headers)
    assert again.status_code == 201
    assert again.content == first.content
    assert built == [1]
    plain = client.post("/v1/cases", json=body)  # no key: nothing committed with it, built once
    assert plain.status_code == 201
    assert built == [1, 1]
