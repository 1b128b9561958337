"""GET /v1/stats/overview, /platforms, /stores over HTTP, on SQLite and PostgreSQL: the figures
agree with what was done through the API, and each answer says how fresh it is."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from support.api_server import Api, case_body

from projections.registry import PROJECTIONS
from projections.tracking import follow
from services.application import Redress
from services.db import sync_engine


@pytest.fixture(scope="module")
def project(api: Api) -> Iterator[Callable[[], int]]:
    """The projector's catch-up, run when a test wants the read models current."""
    app, engine = Redress(env=api.settings.eventsourcing_env()), sync_engine(api.settings)
    yield lambda: follow(engine, app, PROJECTIONS)
    engine.dispose()
    app.close()


@pytest.fixture(scope="module")
def world(api: Api, project: Callable[[], int]) -> dict[str, Any]:
    """Two biggrey stores and a geli one; cases answered, closed, refunded."""
    stores = {"a": api.store("biggrey"), "b": api.store("biggrey"), "g": api.store("geli")}
    consumer = api.as_role("consumer", "stats-consumer")
    cases = {}
    for name, store, kind in [
        ("answered", "a", "warranty_claim"),
        ("closed", "a", "warranty_claim"),
        ("refunded", "b", "return_request"),
        ("waiting", "b", "warranty_claim"),
        ("geli", "g", "return_request"),
    ]:
        body = case_body(api_platform(store), stores[store], kind)
        answer = consumer.post("/v1/cases", json=body)
        assert answer.status_code == 201, answer.text
        cases[name] = answer.json()["id"]
    store_a = api.as_role("store", stores=[stores["a"]])
    assert store_a.post(f"/v1/cases/{cases['answered']}/respond", json={}).status_code == 200
    closed = store_a.post(f"/v1/cases/{cases['closed']}/close", json={"decision": "repair"})
    assert closed.status_code == 200, closed.text
    refund = {"amount": "30.00", "currency": "USD", "payer": "store"}
    store_b = api.as_role("store", stores=[stores["b"]])
    answer = store_b.post(f"/v1/cases/{cases['refunded']}/refunds", json=refund)
    assert answer.json()["status"] == "awaiting_consumer", answer.text  # a partial refund
    answer = consumer.post(f"/v1/cases/{cases['refunded']}/approve")
    assert answer.json()["resolution"] == "agreed", answer.text
    project()
    return {"stores": stores, "cases": cases}


def api_platform(store: str) -> str:
    return "geli" if store == "g" else "biggrey"


@pytest.fixture(scope="module")
def ops(api: Api) -> httpx.Client:
    return api.as_role("ops")


def test_statistics_are_for_ops_and_staff(api: Api, world: dict[str, Any]) -> None:
    for path in ("/v1/stats/overview", "/v1/stats/platforms", "/v1/stats/stores"):
        assert api.as_role("staff").get(path).status_code == 200
        refused = api.as_role("consumer").get(path)
        assert refused.status_code == 403
        assert refused.headers["content-type"] == "application/problem+json"
        store = api.as_role("store", stores=[world["stores"]["a"]])
        assert store.get(path).status_code == 403
        assert api.client().get(path).status_code == 401


def test_the_overview_counts_what_was_done(ops: httpx.Client, world: dict[str, Any]) -> None:
    overview = ops.get("/v1/stats/overview").json()
    stats = overview["stats"]
    assert stats["cases"] == 5
    assert stats["by_status"] == {
        "awaiting_store": 2,
        "in_progress": 1,
        "awaiting_consumer": 1,
        "closed": 1,
        "escalated": 0,
        "withdrawn": 0,
        "suspended": 0,
    }
    assert stats["open"] == 4
    assert stats["by_resolution"] == {
        "agreed": 1,  # the partial refund the consumer approved
        "refunded": 0,
        "auto_approved": 0,
        "ruled_for_consumer": 0,
        "ruled_for_store": 0,
        "protection_refund": 0,
        "consumer_closed": 0,
        "consumer_gave_up": 0,
        "withdrawn": 0,
    }
    assert stats["first_response"]["responded"] == 2  # a response and a close
    assert stats["first_response"]["median_seconds"] >= 0
    assert stats["refunds"] == [
        {"currency": "USD", "payer": "store", "amount": "30.00", "refunds": 1}
    ]
    assert (overview["stores"], overview["certified_stores"]) == (3, 3)
    assert overview["position"] == overview["head"] and overview["behind"] == 0


def test_a_platform_filter_narrows_the_overview(ops: httpx.Client, world: dict[str, Any]) -> None:
    geli = ops.get("/v1/stats/overview", params={"platform": "geli"}).json()
    assert geli["platform"] == "geli"
    assert geli["stats"]["cases"] == 1 and geli["stores"] == 1
    assert all(d["platform"] == "geli" for d in geli["deadlines_at_risk"]["items"])
    unknown = ops.get("/v1/stats/overview", params={"platform": "nowhere"})
    assert unknown.status_code == 422


def test_every_platform_is_listed(ops: httpx.Client, world: dict[str, Any]) -> None:
    answer = ops.get("/v1/stats/platforms").json()
    by_name = {item["platform"]: item for item in answer["items"]}
    assert set(by_name) == {"biggrey", "globalbuy", "geli", "bigben", "buyippee"}
    assert (by_name["biggrey"]["cases"], by_name["geli"]["cases"], by_name["bigben"]["cases"]) == (
        4,
        1,
        0,
    )
    ended = {name: item["by_resolution"]["agreed"] for name, item in by_name.items()}
    assert ended == {"biggrey": 1, "globalbuy": 0, "geli": 0, "bigben": 0, "buyippee": 0}
    assert by_name["bigben"]["first_response"] == {
        "responded": 0,
        "median_seconds": None,
        "p90_seconds": None,
    }


def test_store_scorecards_page_in_id_order(ops: httpx.Client, world: dict[str, Any]) -> None:
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = ops.get("/v1/stats/stores", params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    ids = [card["store_id"] for card in seen]
    assert ids == sorted(world["stores"].values())
    card = next(c for c in seen if c["store_id"] == world["stores"]["a"])
    assert card["certified"] is True and card["warnings"] == 0
    agreed = next(c for c in seen if c["store_id"] == world["stores"]["b"])
    assert agreed["stats"]["by_resolution"]["agreed"] == 1
    assert card["stats"]["cases"] == 2 and card["stats"]["first_response"]["responded"] == 2
    bad = ops.get("/v1/stats/stores", params={"cursor": "%%%"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_an_answer_says_how_far_behind_the_log_it_is(
    api: Api, ops: httpx.Client, world: dict[str, Any], project: Callable[[], int]
) -> None:
    before = ops.get("/v1/stats/overview").json()
    consumer = api.as_role("consumer", "late-consumer")
    body = case_body("biggrey", world["stores"]["b"], "complaint")
    assert consumer.post("/v1/cases", json=body).status_code == 201
    behind = ops.get("/v1/stats/overview").json()
    assert behind["position"] == before["position"] and behind["behind"] >= 1
    assert behind["stats"]["cases"] == before["stats"]["cases"]
    project()
    caught_up = ops.get("/v1/stats/overview").json()
    assert caught_up["behind"] == 0 and caught_up["stats"]["cases"] == before["stats"]["cases"] + 1


def test_deadlines_due_within_a_day_are_at_risk(
    api: Api, ops: httpx.Client, world: dict[str, Any]
) -> None:
    now = ops.get("/v1/stats/overview").json()["deadlines_at_risk"]
    try:
        api.clock.offset = timedelta(days=60)  # every first-response deadline has passed
        later = ops.get("/v1/stats/overview").json()["deadlines_at_risk"]
    finally:
        api.clock.offset = timedelta()
    assert now["within_hours"] == 24
    assert later["count"] > now["count"] and later["overdue"] == later["count"]
    due = [item["due_at"] for item in later["items"]]
    assert due == sorted(due) and all(item["overdue"] for item in later["items"])
