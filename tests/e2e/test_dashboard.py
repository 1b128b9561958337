"""The dashboard in a real browser: `redress serve` as a process, Debian's chromium driven by
Playwright. The figures on the page are the API's, the page follows new events by itself, the
platform filter works, user text stays text, and a screenshot is saved under artifacts/."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, sync_playwright
from support.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REDRESS, Server, key, until

pytestmark = pytest.mark.browser

HOSTILE = '<img src=x onerror="alert(1)"> Café & Sons'
STATS = ("open", "cases", "sla_breached_cases", "reminders", "warnings", "escalations")
STATS += ("sla_escalations", "auto_approvals", "deadlines_at_risk", "overdue", "position")


def seed(server: Server) -> str:
    """Stores on three platforms (one with markup for a name), cases in several states,
    refunds, agreements, missed deadlines fired by the scheduler; returns an ops token."""
    admin = server.client()
    stores = []
    for n, (platform, name, certified) in enumerate(
        [
            ("biggrey", "Nordic Audio", True),
            ("biggrey", HOSTILE, False),
            ("geli", "Geli Fresh", True),
            ("bigben", "Bigben Shop", True),
        ]
    ):
        store = {"id": f"{platform}-{n}", "platform": platform, "name": name}
        answer = admin.post(
            "/v1/stores",
            json={**store, "certified": certified, "country": "GB", "timezone": "Europe/London"},
        )
        assert answer.status_code == 201, answer.text
        stores.append(store)
    staff = server.client(key(admin, "staff", "agent"))
    now = datetime.now(UTC)
    for n in range(16):
        # Imported from an earlier system, filed 6 to 81 hours ago: some deadlines have
        # passed, some fall due within the day, and responses take hours.
        store = stores[n % len(stores)]
        kind = {"geli": "return_request", "bigben": "complaint"}.get(store["platform"], "complaint")
        filed = now - timedelta(hours=6 + 5 * n)
        order = {
            "reference": f"o-{n}",
            "amount": "80.00",
            "currency": "EUR" if n % 2 else "GBP",
            "delivered_at": (filed - timedelta(days=1)).isoformat(),
        }
        body = {
            "platform": store["platform"],
            "store_id": store["id"],
            "kind": kind,
            "order": order,
            "description": "It stopped working.",
            "consumer_id": f"shopper-{n}",
            "submitted_at": filed.isoformat(),
        }
        case = staff.post("/v1/cases", json=body)
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        shop = server.client(key(admin, "store", f"s{n}", [store["id"]]))
        if n % 3 == 0:
            assert shop.post(f"/v1/cases/{case_id}/respond", json={}).status_code == 200
        if n % 4 == 1:
            refund = {"amount": "25.00", "currency": order["currency"], "payer": "store"}
            assert staff.post(f"/v1/cases/{case_id}/refunds", json=refund).status_code == 200
        if n % 5 == 2:  # the store's proposal, approved: the case ends `agreed`
            proposal = {"decision": "repair", "note": "Repaired under warranty."}
            assert shop.post(f"/v1/cases/{case_id}/close", json=proposal).status_code == 200
            shopper = server.client(key(admin, "consumer", f"shopper-{n}"))
            assert shopper.post(f"/v1/cases/{case_id}/approve").status_code == 200
    fired = subprocess.run(
        [REDRESS, "scheduler", "run-due"],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert fired.returncode == 0, fired.stderr
    return key(admin, "ops", "watcher")


def caught_up(ops: httpx.Client, platform: str | None = None) -> dict[str, Any]:
    """The overview, once the projector has applied everything logged."""
    params = {"platform": platform} if platform else {}

    def current() -> dict[str, Any] | None:
        answer: dict[str, Any] = ops.get("/v1/stats/overview", params=params).json()
        return answer if answer["behind"] == 0 else None

    found: dict[str, Any] = until(current, "the projector to catch up")
    return found


def on_page(page: Page) -> dict[str, str]:
    return {stat: page.get_attribute(f'[data-stat="{stat}"]', "data-value") or "" for stat in STATS}


def from_api(overview: dict[str, Any]) -> dict[str, str]:
    stats, risk = overview["stats"], overview["deadlines_at_risk"]
    figures = {**stats, "deadlines_at_risk": risk["count"], "overdue": risk["overdue"]}
    figures["position"] = overview["position"]
    return {stat: str(figures[stat]) for stat in STATS}


def test_the_dashboard_shows_the_apis_figures_and_keeps_up(server: Server) -> None:
    ops_token = seed(server)
    ops = server.client(ops_token)
    overview = caught_up(ops)
    assert overview["stats"]["first_response"]["responded"] > 0 and overview["stats"]["refunds"]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        problems: list[str] = []
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("dialog", lambda dialog: problems.append(f"dialog: {dialog.message}"))
        page.goto(f"{server.url}/dashboard?token={ops_token}")
        assert page.url == f"{server.url}/dashboard"  # the token left the address bar
        page.goto(f"{server.url}/dashboard?refresh=1")
        page.wait_for_selector("body[data-charts=drawn]")
        assert on_page(page) == from_api(overview)
        assert page.get_by_text(HOSTILE).count() >= 1  # the store's name, shown as text
        for refund in overview["stats"]["refunds"]:
            cell = page.locator(f'tr[data-refund="{refund["currency"]}/{refund["payer"]}"] td')
            assert cell.nth(2).inner_text() == refund["amount"]
        assert overview["stats"]["by_resolution"]["agreed"] > 0
        for name, count in overview["stats"]["by_resolution"].items():
            cell = page.locator(f'tr[data-resolution="{name}"] td').nth(1)
            assert cell.get_attribute("data-value") == str(count), name

        ARTIFACTS.mkdir(exist_ok=True)
        page.wait_for_timeout(600)  # let the charts finish their entry animation
        page.screenshot(path=str(ARTIFACTS / "dashboard.png"), full_page=True)

        # A new case: the page picks it up on its own.
        consumer = server.client(key(server.client(), "consumer", "newcomer"))
        body = {
            "platform": "biggrey",
            "store_id": "biggrey-0",
            "kind": "complaint",
            "order": {"reference": "late", "amount": "10.00", "currency": "EUR"},
            "description": "Late arrival",
        }
        assert consumer.post("/v1/cases", json=body).status_code == 201
        newer = caught_up(ops)
        assert newer["stats"]["cases"] == overview["stats"]["cases"] + 1
        # (A selector, not a script: the page's CSP forbids evaluating strings.)
        page.wait_for_selector(f'[data-stat=cases][data-value="{newer["stats"]["cases"]}"]')
        assert on_page(page) == from_api(newer)

        # The platform filter.
        page.select_option("#platform", "geli")
        page.wait_for_url("**/dashboard?platform=geli")
        page.wait_for_selector("body[data-charts=drawn]")
        assert on_page(page) == from_api(caught_up(ops, "geli"))
        page.screenshot(path=str(ARTIFACTS / "dashboard-geli.png"), full_page=True)
        browser.close()
    assert problems == []
