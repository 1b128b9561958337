"""GET /dashboard over HTTP: signing in with `?token=` once, then a cookie; ops and staff only;
every piece of user text escaped; its own scripts and styles, nothing from elsewhere."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from support.api_server import Api, case_body, running_api

from projections.registry import PROJECTIONS
from projections.tracking import follow
from services.application import Redress
from services.case_api.settings import ApiSettings
from services.db import sync_engine
from services.tables import dashboard_sessions

HOSTILE = '<script>alert("store")</script><img src=x onerror=alert(1)>'


@pytest.fixture(scope="module")
def hostile_store(api: Api) -> Iterator[str]:
    """A store whose name is markup, with a case: the dashboard must show it as text."""
    store_id = f"evil-{api.store('biggrey')}"
    answer = api.admin.post(
        "/v1/stores",
        json={
            "id": store_id,
            "platform": "biggrey",
            "name": HOSTILE,
            "certified": False,
            "country": "GB",
            "timezone": "Europe/London",
        },
    )
    assert answer.status_code == 201, answer.text
    consumer = api.as_role("consumer")
    assert consumer.post(
        "/v1/cases", json=case_body("biggrey", store_id, "warranty_claim")
    ).is_success
    app, engine = Redress(env=api.settings.eventsourcing_env()), sync_engine(api.settings)
    follow(engine, app, PROJECTIONS)
    engine.dispose()
    app.close()
    yield store_id


def signed_in(api: Api, role: str = "ops") -> httpx.Client:
    browser = api.client()
    answer = browser.get("/dashboard", params={"token": api.key(role), "platform": "biggrey"})
    assert answer.status_code == 303
    return browser


def test_a_token_signs_in_once_then_a_strict_cookie_carries_a_session(api: Api) -> None:
    browser = api.client()
    token = api.key("ops")
    answer = browser.get("/dashboard", params={"token": token, "platform": "geli"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/dashboard?platform=geli"  # the token leaves the URL
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("redress_dashboard=") and token not in cookie
    assert "Secure" not in cookie  # plain HTTP in development
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/dashboard" in cookie
    page = browser.get("/dashboard", params={"platform": "geli"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<option value="geli" selected>' in page.text


def test_only_ops_and_staff_may_look(api: Api) -> None:
    anonymous = api.client().get("/dashboard")
    assert anonymous.status_code == 401 and 'name="token"' in anonymous.text
    consumer = api.client().get("/dashboard", params={"token": api.key("consumer")})
    assert consumer.status_code == 403 and "set-cookie" not in consumer.headers
    forged = api.client().get("/dashboard", params={"token": "rdk_nope_nope"})
    assert forged.status_code == 401
    assert signed_in(api, "staff").get("/dashboard").status_code == 200
    assert api.client().get("/dashboard/live").status_code == 401


def test_user_text_is_escaped(api: Api, hostile_store: str) -> None:
    page = signed_in(api).get("/dashboard", params={"platform": "biggrey"})
    assert page.status_code == 200
    assert HOSTILE not in page.text and "<script>alert" not in page.text
    assert "&lt;script&gt;alert(&#34;store&#34;)&lt;/script&gt;" in page.text
    assert hostile_store in page.text


def test_the_page_allows_only_its_own_scripts_and_styles(api: Api) -> None:
    page = signed_in(api).get("/dashboard")
    policy = page.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "default-src 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "http://" not in page.text and "https://" not in page.text
    for asset in ("chart.umd.min.js", "dashboard.js", "dashboard.css"):
        assert f"/dashboard/static/{asset}" in page.text
        served = api.client().get(f"/dashboard/static/{asset}")
        assert served.status_code == 200 and len(served.content) > 1000
    assert api.client().get("/dashboard/static/../app.py").status_code == 404
    assert api.client().get("/dashboard/static/secrets.txt").status_code == 404


def test_the_live_fragment_carries_the_figures(api: Api, hostile_store: str) -> None:
    live = signed_in(api).get("/dashboard/live", params={"platform": "biggrey"})
    assert live.status_code == 200
    assert 'id="kpis"' in live.text and 'id="chart-data"' in live.text
    assert "<html" not in live.text and HOSTILE not in live.text


def test_the_page_counts_cases_by_how_they_ended(api: Api) -> None:
    store_id = api.store("bigben", country="FR", timezone="Europe/Paris")
    consumer = api.as_role("consumer")
    for _ in range(2):
        case = consumer.post("/v1/cases", json=case_body("bigben", store_id, "complaint")).json()
        assert consumer.post(f"/v1/cases/{case['id']}/withdraw", json={}).status_code == 200
    app, engine = Redress(env=api.settings.eventsourcing_env()), sync_engine(api.settings)
    follow(engine, app, PROJECTIONS)
    engine.dispose()
    app.close()
    ops = api.as_role("ops")
    ended = ops.get("/v1/stats/overview", params={"platform": "bigben"}).json()["stats"]
    assert ended["by_resolution"]["withdrawn"] == 2
    browser = api.client()
    browser.get("/dashboard", params={"token": api.key("ops"), "platform": "bigben"})
    live = browser.get("/dashboard/live", params={"platform": "bigben"}).text
    assert 'id="endings"' in live
    for name, count in ended["by_resolution"].items():
        assert f'<tr data-resolution="{name}"' in live
        assert f'data-value="{count}"' in live.split(f'data-resolution="{name}"')[1][:400]
    assert "withdrawn" in live and "100.0%" in live


def _session_id(answer: httpx.Response) -> str:
    return answer.headers["set-cookie"].split(";", 1)[0].split("=", 1)[1]


def test_the_session_is_kept_hashed_with_its_expiry_never_the_token(api: Api) -> None:
    token = api.key("ops")
    answer = api.client().get("/dashboard", params={"token": token})
    session_id = _session_id(answer)
    engine = sync_engine(api.settings)
    try:
        with engine.connect() as connection:
            rows = connection.execute(select(dashboard_sessions)).all()
    finally:
        engine.dispose()
    stored = {row.id_hash: row for row in rows}
    assert hashlib.sha256(session_id.encode()).hexdigest() in stored
    assert session_id not in stored and not any(token in str(row) for row in rows)
    row = stored[hashlib.sha256(session_id.encode()).hexdigest()]
    assert row.expires_at > row.created_at


def test_a_forged_or_token_valued_cookie_signs_no_one_in(api: Api) -> None:
    token = api.key("ops")
    for cookie in (token, "not-a-session", "x" * 5000):
        browser = api.client()
        browser.cookies.set("redress_dashboard", cookie, path="/dashboard")
        assert browser.get("/dashboard").status_code == 401


def test_a_session_ends_when_it_expires(api: Api) -> None:
    browser = signed_in(api)
    assert browser.get("/dashboard").status_code == 200
    api.clock.offset = timedelta(hours=13)
    try:
        assert browser.get("/dashboard").status_code == 401
    finally:
        api.clock.offset = timedelta()


def test_revoking_the_key_ends_its_sessions(api: Api) -> None:
    created = api.admin.post("/v1/api-keys", json={"role": "ops", "subject": "ops-revoked"})
    browser = api.client()
    assert browser.get("/dashboard", params={"token": created.json()["token"]}).is_redirect
    assert browser.get("/dashboard").status_code == 200
    assert api.admin.delete(f"/v1/api-keys/{created.json()['id']}").status_code == 204
    assert browser.get("/dashboard").status_code == 401


def test_the_cookie_is_secure_in_production(api: Api) -> None:
    settings = ApiSettings.model_validate(api.settings.model_dump() | {"environment": "production"})
    with running_api(settings) as production:
        answer = production.client().get("/dashboard", params={"token": api.key("ops")})
        assert answer.status_code == 303
        assert "Secure" in answer.headers["set-cookie"]
