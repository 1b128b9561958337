"""The case timeline, store and error catalogue pages in a real browser: `redress serve` as a
process, Debian's chromium driven by Playwright (the browser on PATH or REDRESS_CHROMIUM).
A case with 30 events is read at version 10 with the slider; an event altered in the database
shows the broken link at that event; every page passes axe-core (vendored) with no serious
violation; screenshots are saved under artifacts/."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import pytest
from playwright.sync_api import Browser, Page, sync_playwright
from sqlalchemy import text
from support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, Server, key
from support.filings import complete

from services.db import sync_engine
from services.settings import Settings

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "services/case_api/static/axe.min.js"
EVENTS = 30
TAMPERED = 17  # the version altered behind the log's back
SERIOUS = ("serious", "critical")


def file_case_with_30_events(server: Server) -> tuple[str, str]:
    admin = server.client()
    store = {"id": "biggrey-timeline", "platform": "biggrey", "name": "Nordic Audio"}
    answer = admin.post(
        "/v1/stores",
        json={**store, "certified": True, "country": "GB", "timezone": "Europe/London"},
    )
    assert answer.status_code == 201, answer.text
    consumer = server.client(key(admin, "consumer", "shopper"))
    shop = server.client(key(admin, "store", "shop", [store["id"]]))
    body = {
        "platform": "biggrey",
        "store_id": store["id"],
        "kind": "warranty_claim",
        "order": {"reference": "o-30", "amount": "120.00", "currency": "GBP"},
        "description": "The hinge broke after a week.",
        **complete("biggrey", "warranty_claim"),
    }
    case = consumer.post("/v1/cases", json=body)
    assert case.status_code == 201, case.text
    case_id = case.json()["id"]
    for version in range(2, EVENTS + 1):
        speaker = consumer if version % 2 else shop
        said = speaker.post(f"/v1/cases/{case_id}/messages", json={"body": f"note {version:02}"})
        assert said.status_code == 200, said.text
    assert said.json()["version"] == EVENTS
    return case_id, store["id"]


def tamper(database_url: str, case_id: str, version: int) -> None:
    """Alter one stored event's body directly in the database, as an intruder would."""
    engine = sync_engine(Settings(database_url=database_url))
    # The library's tables: SQLite keeps ids as hex text, PostgreSQL as uuid in <app>_events.
    sqlite = engine.dialect.name == "sqlite"
    table = "stored_events" if sqlite else "redress_events"
    where = "CAST(originator_id AS TEXT) = :id AND originator_version = :v"
    key = {"id": UUID(case_id).hex if sqlite else case_id, "v": version}
    with engine.begin() as db:
        found = db.execute(text(f"SELECT state FROM {table} WHERE {where}"), key).scalar_one()
        state = bytes(found)
        # The message body is sealed (ciphertext): the intruder adds an attachment instead.
        altered = state.replace(b'"attachments":[]', b'"attachments":["forged.pdf"]')
        assert altered != state
        db.execute(text(f"UPDATE {table} SET state = :s WHERE {where}"), {**key, "s": altered})
    engine.dispose()


def serious_violations(browser: Browser, url: str, cookie: dict[str, Any]) -> list[str]:
    """axe-core's serious and critical findings on `url`. axe is injected as a script tag, so
    this context bypasses the page's CSP; the other checks run with the CSP in force."""
    context = browser.new_context(bypass_csp=True)
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(url)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    context.close()
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def watch(page: Page) -> list[str]:
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    return problems


def test_timeline_store_and_catalogue_pages(
    server: Server,
    database_url: str,
) -> None:
    case_id, store_id = file_case_with_30_events(server)
    staff_token = key(server.client(), "staff", "auditor")
    case_url = f"{server.url}/dashboard/cases/{case_id}"
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        problems = watch(page)
        page.goto(f"{case_url}?token={staff_token}")
        assert page.url == case_url  # the token left the address bar
        assert page.locator("#events > li").count() == EVENTS
        assert page.locator('#events > li[data-chain="verified"]').count() == EVENTS
        assert "Verified: 30 events" in page.inner_text("#chain-verdict")

        # The slider: version 10 shows the state as of event 10, its change highlighted.
        page.locator("#version").fill("10")
        page.locator("#version").dispatch_event("change")
        page.wait_for_url(f"{case_url}?version=10")
        assert "State as of event 10 of 30" in page.inner_text("#state-title")
        assert page.locator('#state dd[data-field="version"]').inner_text().startswith("10")
        messages = page.locator('#state dd[data-field="messages"]')
        assert "changed" in (messages.get_attribute("class") or "")
        assert "note 10" in messages.inner_text() and "note 11" not in messages.inner_text()
        assert page.locator("#events > li.selected").get_attribute("data-version") == "10"
        page.screenshot(path=str(ARTIFACTS / "timeline-version-10.png"), full_page=True)
        cookie = next(c for c in page.context.cookies() if c["name"] == "redress_dashboard")

        # An event altered in the database: the chain breaks at that event, not before.
        tamper(database_url, case_id, TAMPERED)
        page.goto(case_url)
        assert f"Broken at event {TAMPERED}" in page.inner_text("#chain-verdict")
        broken = page.locator('#events > li[data-chain="broken"]')
        assert broken.count() == 1 and broken.get_attribute("data-version") == str(TAMPERED)
        assert page.locator('#events > li[data-chain="verified"]').count() == TAMPERED - 1
        broken.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "timeline-tampered.png"), full_page=True)

        # The store page, reached from the case page's link.
        page.click(f'a[href="/dashboard/stores/{store_id}"]')
        page.wait_for_url(f"**/dashboard/stores/{store_id}")
        assert page.locator('#certificate-history li[data-kind="registered"]').count() == 1
        assert "awaiting_store" in page.inner_text("#open-by-status")
        page.screenshot(path=str(ARTIFACTS / "store.png"), full_page=True)

        # The error catalogue: a real problem's `type` leads to its page.
        refused = httpx.post(f"{server.url}/v1/cases", json={})
        page.goto(refused.json()["type"])
        assert page.locator("#problem h1").inner_text().startswith("Unauthorized")
        page.goto(f"{server.url}/problems/filing_window")
        assert "What to send instead" in page.inner_text("#problem")
        page.screenshot(path=str(ARTIFACTS / "problem-filing-window.png"), full_page=True)
        page.goto(f"{server.url}/problems")
        page.screenshot(path=str(ARTIFACTS / "problems.png"), full_page=True)
        assert problems == []

        for url in (
            case_url,
            f"{case_url}?version=10",
            f"{server.url}/dashboard/stores/{store_id}",
            f"{server.url}/problems",
            f"{server.url}/problems/filing_window",
        ):
            assert serious_violations(browser, url, cookie) == [], url
        browser.close()
