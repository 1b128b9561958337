"""Bad webhook receivers do not hold up good ones: with one receiver that answers nothing until
the test lets it, one that is down and one that answers garbage (not HTTP at all), a healthy
receiver subscribed to the same events gets every delivery while the slow one is still hanging.
The others' failed attempts are logged and retried later. Real `redress api` and `redress
notifier` processes."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from support.processes import Fleet, wait_until
from support.reliability_report import Report
from support.traffic import World, client
from support.webhook_receiver import Receiver, free_port

CASES = 6
WAIT = 120.0  # seconds to wait for the healthy receiver: far beyond what it needs...
HANGING = 300.0  # ...and well within the notifier's patience with the slow one
SECTION = "webhook_receivers"


class Garbage(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        self.request.recv(65536)
        self.request.sendall(b"\x00\xffnot http at all\r\n\r\n\x07")


@pytest.fixture
def garbage_url() -> Iterator[str]:
    with socketserver.ThreadingTCPServer(("127.0.0.1", 0), Garbage) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield f"http://127.0.0.1:{server.server_address[1]}/hooks"
        server.shutdown()
        thread.join(timeout=30)


def test_slow_down_and_garbage_receivers_do_not_delay_a_healthy_one(
    postgres_database: str,
    fleet: Callable[..., Fleet],
    garbage_url: str,
    report: Report,
) -> None:
    # The notifier waits longer than the test waits, so the slow one's requests stay in flight.
    processes = fleet(
        postgres_database,
        REDRESS_WEBHOOK_TIMEOUT=str(HANGING),
        REDRESS_NOTIFIER_LEASE=str(HANGING + 60),
    )
    api = processes.api()
    processes.start("notifier")
    world = World.create(api.url, consumers=1)
    consumer = world.consumers[next(iter(world.consumers))]
    store_id = next(s for s, platform in world.stores if platform == "geli")
    with Receiver() as healthy, Receiver() as slow, client(world, world.store_agent) as store:
        slow.hold()  # it answers nothing until released
        down = f"http://127.0.0.1:{free_port()}/hooks"  # nothing listens there
        endpoints = {
            name: _subscribe(store, url, store_id)
            for name, url in (
                ("slow", slow.url),
                ("down", down),
                ("garbage", garbage_url),
                ("healthy", healthy.url),
            )
        }
        with client(world, consumer) as alice:
            _file(alice, store_id)
            wait_until(lambda: slow.arrivals >= 1, 60, f"the slow receiver:\n{processes.logs()}")
            for _ in range(CASES - 1):
                _file(alice, store_id)
        try:
            wait_until(lambda: healthy.count() >= CASES, WAIT, "the healthy receiver")
            # ...while the slow receiver has answered nothing yet, and the notifier is still
            # waiting for it (no attempt of the slow endpoint is logged).
            slow_attempts = _attempts(store, endpoints["slow"])
            report.add(
                SECTION,
                faults_injected=3,
                deliveries_to_healthy=healthy.count(),
                slow_requests_waiting=slow.arrivals - slow.count(),
                slow_attempts_logged=len(slow_attempts),
            )
            assert slow.count() == 0 and slow.arrivals >= 1
            assert slow_attempts == []
        finally:
            slow.release()
        wait_until(lambda: slow.count() >= CASES, WAIT, "the slow receiver, answering now")
        failed = {
            name: _attempts(store, endpoints[name]) for name in ("down", "garbage", "healthy")
        }
    report.add(
        SECTION,
        failed_attempts={name: len(failed[name]) for name in ("down", "garbage")},
    )
    assert {e["type"] for e in healthy.events()} == {"case.submitted"}
    assert failed["healthy"] and all(a["status_code"] == 204 for a in failed["healthy"])
    for name in ("down", "garbage"):
        assert failed[name], f"no attempt to the {name} receiver was logged"
        assert all(a["status_code"] is None and a["error"] for a in failed[name]), failed[name]


def _subscribe(store: httpx.Client, url: str, store_id: str) -> str:
    answer = store.post(
        "/v1/webhooks",
        json={"url": url, "event_types": ["case.submitted"], "store_ids": [store_id]},
    )
    assert answer.status_code == 201, answer.text
    endpoint: str = answer.json()["id"]
    return endpoint


def _file(consumer: httpx.Client, store_id: str) -> None:
    answer = consumer.post(
        "/v1/cases",
        json={
            "platform": "geli",
            "store_id": store_id,
            "kind": "return_request",
            "order": {"reference": "G-1", "amount": "99.00", "currency": "CNY"},
            "description": "Wrong size.",
        },
    )
    assert answer.status_code == 201, answer.text


def _attempts(store: httpx.Client, endpoint: str) -> list[dict[str, Any]]:
    answer = store.get(f"/v1/webhooks/{endpoint}/deliveries")
    assert answer.status_code == 200, answer.text
    return [attempt for item in answer.json()["items"] for attempt in item["attempts"]]
