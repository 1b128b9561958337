"""The error catalogue over real HTTP: problem `type` URIs resolve to its pages."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support.api_server import ADMIN_TOKEN, Api, case_body, running_api

from services.case_api.settings import ApiSettings


def test_a_refused_rule_links_to_its_page_on_the_same_host(api: Api) -> None:
    consumer = api.as_role("consumer")
    body = case_body("biggrey", "no-such-store", "warranty_claim")
    refused = consumer.post("/v1/cases", json=body)
    assert refused.status_code == 422, refused.text
    problem = refused.json()
    assert problem["type"] == f"{api.url}/problems/{problem['rule']}"
    page = httpx.get(problem["type"])
    assert page.status_code == 200
    assert "Content-Security-Policy" in page.headers
    assert problem["rule"] in page.text and "What to send instead" in page.text


def test_every_listed_type_has_a_page_and_unknown_slugs_are_404(api: Api) -> None:
    listed = api.as_role("consumer").get("/v1/problems")
    assert listed.status_code == 200, listed.text
    items = listed.json()["items"]
    assert {"filing_window", "validation", "not-found"} <= {i["slug"] for i in items}
    for item in items:
        assert item["type"] == f"{api.url}/problems/{item['slug']}"
        assert httpx.get(item["type"]).status_code == 200, item["slug"]
    assert httpx.get(f"{api.url}/problems/nothing-like-this").status_code == 404
    assert httpx.get(f"{api.url}/v1/problems").status_code == 401
    assert "filing_window" in httpx.get(f"{api.url}/problems").text


def test_framework_errors_link_to_the_catalogue_too(api: Api) -> None:
    missing = httpx.get(f"{api.url}/v1/nowhere")
    assert missing.json()["type"] == f"{api.url}/problems/not-found"
    # an X-Forwarded or odd Host header cannot inject markup into the URI
    forged = httpx.get(f"{api.url}/v1/nowhere", headers={"Host": "x<y>"})
    assert forged.json()["type"] == "http://localhost/problems/not-found"


@pytest.fixture(scope="module")
def public_api(backend_url: str) -> Iterator[Api]:
    settings = ApiSettings(
        database_url=backend_url,
        admin_token=ADMIN_TOKEN,
        db_pool_size=2,
        public_url="https://api.redress.example/",
    )
    with running_api(settings) as api:
        yield api


def test_public_url_overrides_the_host(public_api: Api) -> None:
    answer = httpx.get(f"{public_api.url}/v1/cases")
    assert answer.status_code == 401
    assert answer.json()["type"] == "https://api.redress.example/problems/unauthorized"
