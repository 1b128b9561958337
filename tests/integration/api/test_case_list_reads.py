"""GET /v1/cases served in front of FastAPI (services.case_api.case_list_reads): the route's
bytes, the caller's scope, and a remembered page that moves with every write."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from support.api_server import Api, case_body, running_api

from services.case_api.case_list_reads import CaseListReads
from services.case_api.settings import ApiSettings

SORTS = ("-created_at", "created_at", "-updated_at", "updated_at")


def _routed(client: httpx.Client, params: dict[str, Any]) -> httpx.Response:
    """The FastAPI route's answer: a name the route ignores hands the request over to it."""
    return client.get("/v1/cases", params={**params, "via": "route"})


def test_the_list_hot_path_answers_byte_for_byte_as_the_route(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    answered = []
    page = CaseListReads.page

    async def counted(self: CaseListReads, *args: Any) -> bytes:
        body = await page(self, *args)
        answered.append(body)
        return body

    monkeypatch.setattr(CaseListReads, "page", counted)
    store_id = api.store("biggrey")
    consumer = api.client(api.key("consumer", "lister-bytes"))
    for _ in range(5):
        filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
        assert filed.status_code == 201, filed.text
    consumer.post(f"/v1/cases/{filed.json()['id']}/messages", json={"body": "moves it"})
    for key in (api.key("staff"), api.key("store", stores=[store_id])):
        client = api.client(key)
        for sort in SORTS:
            params: dict[str, Any] = {"store_id": store_id, "limit": 2, "sort": sort}
            pages = 0
            while True:
                hot, routed = client.get("/v1/cases", params=params), _routed(client, params)
                assert hot.status_code == routed.status_code == 200, hot.text
                assert hot.content == routed.content
                assert hot.headers["content-type"] == routed.headers["content-type"]
                pages += 1
                if (cursor := hot.json()["next_cursor"]) is None:
                    break
                params["cursor"] = cursor
            assert pages == 3  # five cases, two a page
    # PostgreSQL's pages came from the hot path (SQLite's all from the route).
    assert len(answered) == (0 if api.settings.is_sqlite else 2 * len(SORTS) * 3)


def test_remembered_pages_are_the_callers_own(api: Api) -> None:
    ours, theirs = api.store("biggrey"), api.store("biggrey")
    for store_id, subject in ((ours, "lister-ours"), (theirs, "lister-theirs")):
        consumer = api.client(api.key("consumer", subject))
        filed = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
        assert filed.status_code == 201, filed.text
    for store_id, subject in ((ours, "lister-ours"), (theirs, "lister-theirs")):
        for client in (
            api.client(api.key("store", stores=[store_id])),
            api.client(api.key("consumer", subject)),
        ):
            for _ in range(2):  # the second from memory
                items = client.get("/v1/cases").json()["items"]
                assert {i["store_id"] for i in items} == {store_id}
                assert {i["consumer_id"] for i in items} == {subject}
    nobody = api.client(api.key("store", stores=["no-such-store"]))
    assert nobody.get("/v1/cases").json() == {"items": [], "next_cursor": None}


def test_a_remembered_page_moves_with_a_write_through_another_process(api: Api) -> None:
    store_id = api.store("biggrey")
    consumer_key = api.key("consumer", "lister-moving")
    staff = api.client(api.key("staff"))
    params = {"store_id": store_id, "sort": "-updated_at"}
    with running_api(ApiSettings.of(api.settings)) as other:
        consumer = other.client(consumer_key)
        for n in range(1, 4):
            filed = consumer.post(
                "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
            )
            assert filed.status_code == 201, filed.text
            listed = staff.get("/v1/cases", params=params).json()["items"]
            assert len(listed) == n and listed[0]["id"] == filed.json()["id"]
        moved = consumer.post(f"/v1/cases/{listed[-1]['id']}/messages", json={"body": "news"})
        assert moved.status_code == 200, moved.text
        first = staff.get("/v1/cases", params=params).json()["items"][0]
        assert (first["id"], first["version"]) == (listed[-1]["id"], 2)


def test_refusals_of_the_list_come_from_the_route(api: Api) -> None:
    staff = api.client(api.key("staff"))
    for params, status in (
        ({"cursor": "bm90IG91cnM="}, 422),
        ({"limit": "0"}, 422),
        ({"limit": "201"}, 422),
        ({"sort": "status"}, 422),
        ({"status": ""}, 422),
        ({"resolution": "lost"}, 422),
    ):
        answer = staff.get("/v1/cases", params=params)
        assert answer.status_code == status, params
        assert answer.headers["content-type"] == "application/problem+json"
    assert api.client().get("/v1/cases").status_code == 401
    assert api.client(api.key("admin")).get("/v1/cases").status_code == 403
