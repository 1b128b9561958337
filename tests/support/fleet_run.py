"""What the fleet tests share (tests/e2e/test_fleet.py, test_replica.py): the webhook inbox,
keys and stores set up over HTTP, waiting for the fleet to settle, reading everything back,
and the phases' durations."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import psycopg
from standardwebhooks.webhooks import Webhook

from projections.registry import NAMES
from services.notifier import fanout
from services.scheduler import index
from support.fleet_checks import CaseRead
from support.fleet_workload import (
    CALENDARS,
    CONSUMERS,
    STAFF_KEYS,
    STORES,
    Http,
    Keys,
    Ledger,
)
from support.processes import Fleet, Service
from support.webhook_receiver import Answer, Received, Receiver

ADMIN = "e2e-fleet-admin-5d0c81"
WORKERS = 16  # client threads: the machine's two cores are busy with the fleet and PostgreSQL
QUIET_WITHIN = 240.0  # seconds for the fleet to settle after the drive (generous)
# What the schedulers must have done on the way (each at least once).
SCHEDULER_STEPS = ("Reminded", "Warned", "Escalated", "AutoApproved", "Refunded", "PayoutOverdue")
SCHEDULER_STEPS += ("ConsumerCloseAllowed",)
# Everything that follows the event log: the read models, the deadline index, the notifier.
FOLLOWERS = (*NAMES, index.NAME, fanout.NAME)


def all_running(fleet: Fleet) -> None:
    dead = [(s.name, s.process and s.process.returncode) for s in fleet.services if not s.running]
    assert not dead, f"processes exited: {dead}\n{tail(fleet)}"


class Inbox:
    """The receiver's answer to each webhook: verify it (Standard Webhooks) as it arrives,
    keep its id and body, in the order they arrived, and say 204."""

    def __init__(self, receiver: Receiver, secret: str) -> None:
        self.webhook = Webhook(secret)
        self.refused: list[str] = []
        self._received: list[tuple[str, bytes]] = []
        self._lock = threading.Lock()
        receiver.respond = self

    def __call__(self, request: Received) -> Answer:
        webhook_id = request.headers.get("webhook-id", "")
        try:
            self.webhook.verify(request.body, request.headers)
        except Exception as bad:
            with self._lock:
                self.refused.append(f"{webhook_id}: {bad!r}")
        with self._lock:
            self._received.append((webhook_id, request.body))
        return Answer(204)

    def receipts(self) -> list[tuple[str, bytes]]:
        """(webhook-id, body) of every request, in the order they arrived."""
        with self._lock:
            return list(self._received)


# -- set-up ------------------------------------------------------------------------------------


def keys_and_stores(http: Http, receiver: Receiver) -> tuple[Keys, Inbox, str]:
    """API keys for every party, the webhook (subscribed before anything happens, so all of
    its scope is delivered), then the stores."""

    def key(role: str, subject: str, stores: list[str] | None = None) -> tuple[str, str]:
        body = {"role": role, "subject": subject, "store_ids": stores or []}
        answer = http("POST", "/v1/api-keys", ADMIN, body)
        assert answer.status_code == 201, answer.text
        return answer.json()["token"], subject

    keys = Keys(
        admin=ADMIN,
        staff=[key("staff", f"agent-{n}") for n in range(STAFF_KEYS)],
        ops=key("ops", "ops-desk")[0],
        hub=key("store", "merchant-hub", list(STORES))[0],
        stores={store: key("store", f"{store}-agent", [store]) for store in STORES},
        consumers=[key("consumer", f"shopper-{n}") for n in range(CONSUMERS)],
    )
    subscribed = http("POST", "/v1/webhooks", keys.hub, {"url": receiver.url, "event_types": ["*"]})
    assert subscribed.status_code == 201, subscribed.text
    inbox = Inbox(receiver, subscribed.json()["secret"])
    for store, (platform, certified) in STORES.items():
        country, zone = CALENDARS[platform]
        body = {"id": store, "platform": platform, "name": f"Shop {store}", "certified": certified}
        answer = http("POST", "/v1/stores", ADMIN, {**body, "country": country, "timezone": zone})
        assert answer.status_code == 201, answer.text
    return keys, inbox, subscribed.json()["id"]


# -- waiting for the fleet to settle -----------------------------------------------------------


def log_head(db: psycopg.Connection[Any]) -> int:
    row = db.execute("SELECT coalesce(max(notification_id), 0) FROM redress_events").fetchone()
    assert row is not None
    return int(row[0])


def still_busy(db: psycopg.Connection[Any], since: datetime, inbox: Inbox) -> tuple[int, str]:
    """The log's head, and what is still under way ("" once every read model, the deadline
    index and the notifier are at the head, nothing due by `since` is left to fire, and every
    delivery is delivered and received)."""
    head = log_head(db)
    positions = dict(db.execute("SELECT name, position FROM projection_positions").fetchall())
    behind = {name: head - positions.get(name, 0) for name in FOLLOWERS}
    due = db.execute(
        "SELECT count(*) FROM scheduled_deadlines WHERE NOT done AND due_at <= %s", (since,)
    ).fetchone()
    deliveries = dict(
        db.execute("SELECT status, count(*) FROM webhook_deliveries GROUP BY status").fetchall()
    )
    received = len({webhook_id for webhook_id, _ in inbox.receipts()})
    undelivered = sum(n for status, n in deliveries.items() if status != "delivered")
    busy = {k: v for k, v in behind.items() if v}
    if busy or (due and due[0]) or undelivered or received < sum(deliveries.values()):
        return head, (
            f"behind the log head {head}: {busy}; due by {since.isoformat()}: {due}; "
            f"deliveries {deliveries}, {received} received"
        )
    return head, ""


def settle(db: psycopg.Connection[Any], since: datetime, inbox: Inbox, fleet: Fleet) -> int:
    """Wait (bounded) until the fleet is quiet; returns the log head it is quiet at."""
    deadline = time.monotonic() + QUIET_WITHIN
    while True:
        head, busy = still_busy(db, since, inbox)
        if not busy:
            return head
        assert time.monotonic() < deadline, f"{busy}\n{tail(fleet)}"
        time.sleep(0.5)


def tail(fleet: Fleet, lines: int = 20) -> str:
    """The last lines of each process's log, and its first errors."""
    return "\n".join(
        f"--- {s.name}\n" + "\n".join(s.logs().splitlines()[-lines:] + errors(s)[:5])
        for s in fleet.services
    )


def errors(service: Service) -> list[str]:
    return [
        line[:3000]
        for line in service.logs().splitlines()
        if '"level":"error"' in line or " ERROR " in line or line.startswith("Traceback")
    ]


def certificates(http: Http, keys: Keys) -> None:
    """Staff warn biggrey-warned three times (the third revokes its certificate), and may not
    certify biggrey-protected again while its bar runs."""
    token = keys.staff[0][0]
    for n in range(1, 4):
        warning = {"reason": f"Ignored the consumer's letters ({n})."}
        answer = http("POST", "/v1/stores/biggrey-warned/warnings", token, warning)
        assert answer.status_code == 200, answer.text
    assert answer.json()["certified"] is False, answer.text
    before = http("GET", "/v1/stores/biggrey-protected", token).json()
    evidence = {"evidence": "A new returns desk."}
    refused = http("POST", "/v1/stores/biggrey-protected/certification", token, evidence)
    assert (refused.status_code, refused.json()["rule"]) == (422, "not_yet_allowed"), refused.text
    after = http("GET", "/v1/stores/biggrey-protected", token).json()
    assert after["version"] == before["version"], after


# -- reading everything back -------------------------------------------------------------------


def read_cases(http: Http, keys: Keys, case_ids: list[str]) -> list[CaseRead]:
    """History, state and verification of each case, as staff (the keys share the reads:
    each key has its rate limit)."""

    def read(n: int, case_id: str) -> CaseRead:
        token = keys.staff[n % len(keys.staff)][0]
        answers = [
            http("GET", f"/v1/cases/{case_id}{path}", token) for path in ("/history", "", "/verify")
        ]
        for answer in answers:
            assert answer.status_code == 200, answer.text
        history, state, verdict = (a.json() for a in answers)
        return CaseRead(case_id, history["events"], state, verdict)

    with ThreadPoolExecutor(WORKERS) as pool:
        return list(pool.map(read, range(len(case_ids)), case_ids))


def read_feed(http: Http, token: str) -> list[dict[str, Any]]:
    items, cursor = [], "0"
    while True:
        page = http("GET", "/v1/events", token, params={"after": cursor, "limit": 500})
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not page.json()["has_more"]:
            return items


def read_case_list(http: Http, token: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = http("GET", "/v1/cases", token, params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


def read_deliveries(http: Http, token: str, webhook: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        params = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = http("GET", f"/v1/webhooks/{webhook}/deliveries", token, params=params)
        assert page.status_code == 200, page.text
        items += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return items


@dataclass
class Readback:
    head: int
    overview: dict[str, Any]
    platforms: dict[str, Any]
    cases: list[CaseRead]
    listed: list[dict[str, Any]]
    stores: dict[str, dict[str, Any]]
    feed: list[dict[str, Any]]
    deliveries: list[dict[str, Any]]
    receipts: list[tuple[str, bytes]] = field(default_factory=list)


def read_back(
    http: Http, keys: Keys, webhook: str, ledger: Ledger, db: psycopg.Connection[Any], head: int
) -> Readback | None:
    """Everything the checks need, read at one log head (None if the log moved meanwhile)."""
    overview = http("GET", "/v1/stats/overview", keys.ops).json()
    platforms = http("GET", "/v1/stats/platforms", keys.ops).json()
    cases = read_cases(http, keys, sorted(ledger.cases))
    listed = read_case_list(http, keys.ops)
    stores = {s: http("GET", f"/v1/stores/{s}", keys.admin).json() for s in STORES}
    feed = read_feed(http, keys.hub)
    deliveries = read_deliveries(http, keys.hub, webhook)
    if log_head(db) != head:
        return None
    return Readback(head, overview, platforms, cases, listed, stores, feed, deliveries)


# -- the test ----------------------------------------------------------------------------------


class Phases:
    def __init__(self) -> None:
        self.started = self.last = time.monotonic()
        self.took: dict[str, float] = {}

    def done(self, phase: str) -> None:
        now = time.monotonic()
        self.took[phase] = round(now - self.last, 1)
        self.last = now

    def total(self) -> float:
        return round(time.monotonic() - self.started, 1)


class ConnectionWatch:
    """The most connections the fleet held on its database at once (sampled), to report."""

    def __init__(self, url: str) -> None:
        self.url, self.most = url, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="connections", daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as db:
            while not self._stop.wait(0.2):
                row = db.execute(
                    "SELECT count(*) - 1 FROM pg_stat_activity WHERE datname = current_database()"
                ).fetchone()
                self.most = max(self.most, int(row[0]) if row else 0)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(10)
        return self.most
