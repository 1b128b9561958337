"""The case timeline page over HTTP: sign-in, events, state as of a version, deadlines with
their explanations, refunds with a running total, the search box; on both backends."""

from __future__ import annotations

from uuid import uuid4

import httpx
from support.api_server import Api, case_body


def _browser(api: Api, target: str) -> httpx.Client:
    browser = api.client()
    signed = browser.get(target, params={"token": api.key("staff")})
    assert signed.status_code == 303 and signed.headers["location"] == target
    return browser


def _case_with_refunds(api: Api) -> tuple[dict, str]:
    store_id = api.store("biggrey")
    consumer = api.as_role("consumer")
    case = consumer.post("/v1/cases", json=case_body("biggrey", store_id, "warranty_claim"))
    assert case.status_code == 201, case.text
    path = f"/v1/cases/{case.json()['id']}"
    for n in range(3):
        consumer.post(f"{path}/messages", json={"body": f"Message {n}"})
    staff = api.as_role("staff")
    for amount in ("20.00", "30.00"):
        paid = staff.post(
            f"{path}/refunds", json={"amount": amount, "currency": "USD", "payer": "platform"}
        )
        assert paid.status_code == 200, paid.text
    return case.json(), store_id


def test_the_timeline_shows_events_state_deadlines_and_refunds(api: Api) -> None:
    case, store_id = _case_with_refunds(api)
    target = f"/dashboard/cases/{case['id']}"
    browser = _browser(api, target)
    page = browser.get(target)
    assert page.status_code == 200, page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert "Verified: 6 events" in html
    assert html.count('data-chain="verified"') == 6
    assert "50.00 USD" in html and "20.00 of 120.00 USD" in html and "50.00 of 120.00 USD" in html
    assert "first_response" in html and "2 full work days" in html  # its explanation
    assert f'href="/dashboard/stores/{store_id}"' in html
    second = browser.get(target, params={"version": 2}).text
    assert "State as of event 2 of 6" in second
    assert 'data-field="messages" class="changed"' in second
    assert 'data-field="kind" class="changed"' not in second


def test_search_finds_cases_and_stores_and_the_page_needs_sign_in(api: Api) -> None:
    case, store_id = _case_with_refunds(api)
    browser = _browser(api, f"/dashboard/cases/{case['id']}")
    found = browser.get("/dashboard/search", params={"q": case["id"]})
    assert (found.status_code, found.headers["location"]) == (303, f"/dashboard/cases/{case['id']}")
    store = browser.get("/dashboard/search", params={"q": store_id})
    assert store.headers["location"] == f"/dashboard/stores/{store_id}"
    by_order = browser.get("/dashboard/search", params={"q": case["order"]["reference"]})
    assert by_order.headers["location"] == f"/dashboard/cases/{case['id']}"
    assert "Nothing matches" in browser.get("/dashboard/search", params={"q": "zzz-none"}).text
    assert browser.get("/dashboard/cases/not-a-uuid").status_code == 404
    assert browser.get(f"/dashboard/cases/{uuid4()}").status_code == 404
    assert api.client().get(f"/dashboard/cases/{case['id']}").status_code == 401
    consumer = api.client().get(
        f"/dashboard/cases/{case['id']}", params={"token": api.key("consumer")}
    )
    assert consumer.status_code == 403


def test_the_store_page_shows_its_certificate_history_and_open_cases(api: Api) -> None:
    _case, store_id = _case_with_refunds(api)
    other = api.as_role("consumer").post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    )
    assert other.status_code == 201
    staff = api.as_role("staff")
    warned = staff.post(f"/v1/stores/{store_id}/warnings", json={"reason": "late answers"})
    assert warned.status_code in (200, 201), warned.text
    target = f"/dashboard/stores/{store_id}"
    browser = _browser(api, target)
    page = browser.get(target)
    assert page.status_code == 200, page.text
    assert 'data-kind="registered"' in page.text and 'data-kind="warning"' in page.text
    assert "late answers" in page.text
    assert (
        f'href="/dashboard/cases/{other.json()["id"]}"' in page.text or "No open cases" in page.text
    )
    assert browser.get("/dashboard/stores/no-such-store").status_code == 404
