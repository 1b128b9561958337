"""Tokens and secrets never reach the logs. Real processes (api, projector, scheduler,
notifier) run with REDRESS_ENCRYPTION_KEY set, an admin token, and a database URL with a
password; requests carry API keys (in headers, and once in the dashboard's sign-in URL), create
webhook secrets and rotate them, fail authentication, and make deliveries fail. Afterwards the
captured output of every process is searched for each secret: none may appear. Log lines on
stderr are JSON, one object per line."""

from __future__ import annotations

import base64
import json
import os
import secrets
from collections.abc import Callable

import httpx
from support.processes import Fleet, wait_until
from support.reliability_report import Report
from support.traffic import Ledger, Traffic, World, client
from support.webhook_receiver import Answer, Receiver


def test_no_token_or_secret_appears_in_any_log(
    postgres_database: str, fleet: Callable[..., Fleet], receiver: Receiver, report: Report
) -> None:
    password = f"pw-{secrets.token_hex(8)}"  # the test server trusts, so any password will do
    url = postgres_database.replace("postgresql://postgres@", f"postgresql://postgres:{password}@")
    assert password in url
    key = base64.b64encode(os.urandom(32)).decode()
    admin = f"admin-{secrets.token_urlsafe(24)}"
    processes = fleet(url, REDRESS_ENCRYPTION_KEY=key, REDRESS_ADMIN_TOKEN=admin)
    api = processes.api()
    for role in ("projector", "scheduler", "notifier"):
        processes.start(role)
    world = World.create(api.url, consumers=2, admin=admin)
    tokens = [world.staff, world.store_agent, world.ops, *world.consumers.values()]

    # Deliveries fail (500), then succeed; the secret is rotated in between.
    receiver.respond = lambda _: Answer(500, body=b"try again")
    with client(world, world.store_agent) as store:
        created = store.post("/v1/webhooks", json={"url": receiver.url, "event_types": ["*"]})
        assert created.status_code == 201, created.text
        endpoint, first_secret = created.json()["id"], created.json()["secret"]
        ledger = Ledger()
        with Traffic(world, ledger).start():
            wait_until(lambda: ledger.acknowledged >= 60, 120, "load")
            wait_until(lambda: receiver.count() >= 1, 60, "a failed delivery")
            rotated = store.post(f"/v1/webhooks/{endpoint}/rotate")
            assert rotated.status_code == 200, rotated.text
            receiver.respond = lambda _: Answer(204)
            _unwelcome_callers(api.url, world, admin)
        wait_until(lambda: receiver.count() >= 10, 60, "deliveries")
    secret_values = [first_secret, rotated.json()["secret"]]
    exits = processes.stop()

    output = processes.logs()
    wanted = {
        "admin token": [admin],
        "API keys": tokens,
        "webhook secrets": secret_values + [s.removeprefix("whsec_") for s in secret_values],
        "encryption key": [key],
        "database password": [password],
    }
    leaked = {what: [s for s in values if s in output] for what, values in wanted.items()}
    report.add(
        "secrets_in_logs",
        processes=len(processes.services),
        log_lines=len(output.splitlines()),
        secrets_searched=sum(len(v) for v in wanted.values()),
        secrets_found=sum(len(found) for found in leaked.values()),
    )
    assert {what: found for what, found in leaked.items() if found} == {}, "secrets in the logs"
    for service in processes.services:
        for line in service.logs(suffixes=(".log",)).splitlines():
            if line.strip():
                assert isinstance(json.loads(line), dict), (service.name, line)
    assert set(exits.values()) <= {0, -15}, exits  # uvicorn re-raises the SIGTERM it handled


def _unwelcome_callers(url: str, world: World, admin: str) -> None:
    """Requests that fail: a made-up key, a malformed one, keys in the wrong places, and the
    dashboard's sign-in, which carries a real token in its URL once."""
    made_up = f"rdk_{secrets.token_hex(4)}_{secrets.token_urlsafe(24)}"
    with httpx.Client(base_url=url, timeout=60) as anyone:
        for token in (made_up, f"not-a-key-{secrets.token_hex(8)}", admin + "x"):
            answer = anyone.get("/v1/cases", headers={"Authorization": f"Bearer {token}"})
            assert answer.status_code == 401
        assert anyone.get("/v1/cases", params={"token": world.staff}).status_code == 401
        assert anyone.get("/dashboard", params={"token": world.ops}).status_code == 303
        assert anyone.get("/dashboard", params={"token": made_up}).status_code == 401
        # A key pasted where an id goes: 404, and the path is logged.
        staff = {"Authorization": f"Bearer {world.staff}"}
        assert anyone.get(f"/v1/cases/{world.ops}", headers=staff).status_code == 404
        assert anyone.get(f"/v1/stores/{world.ops}", headers=staff).status_code in (404, 422)
