"""Webhook subscriptions over HTTP, on both backends: scope, SSRF refusals, secrets, rotation,
the delivery log, redelivery and recovery (with a notifier and a receiver on loopback)."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta

import httpx
import pytest
import uvicorn
from standardwebhooks.webhooks import Webhook
from support.api_server import ADMIN_TOKEN, Api, Clock, case_body
from support.postgres import free_port
from support.webhook_receiver import Answer, Receiver

from services.case_api.app import create_app
from services.case_api.routes import webhooks
from services.db import migrate
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings

REFUSED_URLS = [
    "http://2130706433/hooks",  # 127.0.0.1 as a decimal number
    "http://0x7f000001/hooks",  # ... in hex
    "http://0x7f.0.0.1/hooks",
    "http://0177.0.0.1/hooks",  # ... in octal
    "http://127.1/hooks",
    "http://[::1]/hooks",  # IPv6 loopback
    "http://[::ffff:127.0.0.1]/hooks",  # IPv4-mapped loopback
    "http://[fe80::1]/hooks",
    "http://[fd12:3456::1]/hooks",  # unique-local
    "http://localhost:8080/hooks",  # a name that resolves to 127.0.0.1
    "http://169.254.169.254/latest/meta-data",  # cloud metadata
    "http://10.1.2.3/hooks",
    "http://192.168.0.10/hooks",
    "http://user:pass@127.0.0.1/hooks",  # user info, even on an allowed host
    "http://example.com@127.0.0.1/hooks",
    "ftp://127.0.0.1/hooks",
    "http://0.0.0.0/hooks",
]


@pytest.fixture(scope="module")
def settings(backend_url: str) -> NotifierSettings:
    settings = NotifierSettings(
        database_url=backend_url, admin_token=ADMIN_TOKEN, webhook_allowed_hosts="127.0.0.1:*"
    )
    migrate(settings)
    return settings


@pytest.fixture(scope="module")
def api(settings: NotifierSettings) -> Iterator[Api]:
    """The shared harness's API, with the notifier's settings (loopback receivers allowed)."""
    clock, port = Clock(), free_port()
    app = create_app(settings, clock=clock)
    app.state.notifier = webhooks.Notifier.of(app.state.services, settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the API did not start"
        time.sleep(0.05)
    api = Api(f"http://127.0.0.1:{port}", settings, clock)
    yield api
    for client in api.clients:
        client.close()
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
async def notifier(settings: NotifierSettings, api: Api) -> AsyncIterator[Notifier]:
    running = Notifier(settings, clock=api.clock)
    yield running
    await running.aclose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def subscribe(client: httpx.Client, url: str, **extra: object) -> httpx.Response:
    return client.post("/v1/webhooks", json={"url": url, "event_types": ["*"], **extra})


@pytest.mark.parametrize("url", REFUSED_URLS)
def test_urls_into_the_network_are_refused_with_422(api: Api, url: str) -> None:
    store_id = api.store("geli")
    answer = subscribe(api.as_role("store", stores=[store_id]), url)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["field"] == "url"


def test_a_subscription_shows_its_secret_once(api: Api, receiver: Receiver) -> None:
    store_id = api.store("geli")
    store = api.as_role("store", stores=[store_id])
    created = subscribe(store, receiver.url, event_types=["case.submitted"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["secret"].startswith("whsec_")
    assert Webhook(body["secret"])  # a valid Standard Webhooks secret
    assert body["store_ids"] == [store_id] and body["status"] == "active"

    listed = store.get("/v1/webhooks").json()["items"]
    assert [w["id"] for w in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "secret" not in store.get(f"/v1/webhooks/{body['id']}").json()


def test_subscriptions_are_scoped_to_the_callers_stores(api: Api, receiver: Receiver) -> None:
    mine, theirs = api.store("geli"), api.store("geli")
    store = api.as_role("store", stores=[mine])
    other = api.as_role("store", stores=[theirs])
    assert subscribe(store, receiver.url, store_ids=[theirs]).status_code == 403
    created = subscribe(store, receiver.url).json()
    assert other.get(f"/v1/webhooks/{created['id']}").status_code == 404
    assert other.delete(f"/v1/webhooks/{created['id']}").status_code == 404
    assert created["id"] not in [w["id"] for w in other.get("/v1/webhooks").json()["items"]]
    assert api.admin.get(f"/v1/webhooks/{created['id']}").status_code == 200
    assert subscribe(api.as_role("staff"), receiver.url).status_code == 403
    assert subscribe(api.as_role("consumer"), receiver.url).status_code == 403

    assert store.delete(f"/v1/webhooks/{created['id']}").status_code == 204
    assert store.get(f"/v1/webhooks/{created['id']}").status_code == 404


def test_unknown_event_types_are_refused(api: Api, receiver: Receiver) -> None:
    store = api.as_role("store", stores=[api.store("geli")])
    answer = subscribe(store, receiver.url, event_types=["case.exploded"])
    assert answer.status_code == 422
    assert subscribe(store, receiver.url, event_types=["case.*"]).status_code == 201


async def test_deliveries_are_logged_retried_and_recovered(
    api: Api, notifier: Notifier, receiver: Receiver
) -> None:
    store_id = api.store("geli")
    store = api.as_role("store", stores=[store_id])
    hook = subscribe(store, receiver.url).json()
    consumer = api.as_role("consumer")
    receiver.respond = lambda _: Answer(
        500, {"X-Upstream": "10.0.0.9:8080"}, b"down for maintenance " + b"." * 400
    )
    since = api.clock().isoformat()
    filed = consumer.post("/v1/cases", json=case_body("geli", store_id, "return_request"))
    assert filed.status_code == 201, filed.text
    await notifier.run_once()

    log = store.get(f"/v1/webhooks/{hook['id']}/deliveries").json()
    [delivery] = log["items"]
    assert delivery["event_id"] == f"{filed.json()['id']}:1"
    assert delivery["status"] == "pending"
    [attempt] = delivery["attempts"]
    # What the receiver answered may come from inside the network: stores do not see it.
    assert attempt["status_code"] == 500 and attempt["error"] == "HTTP 500"
    assert attempt["response"] is None and attempt["response_headers"] is None
    for insider in (api.admin, api.as_role("staff")):
        [seen] = insider.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"]
        [answer] = seen["attempts"]
        assert answer["response"] == ("down for maintenance " + "." * 400)[:256]
        assert answer["response_headers"]["x-upstream"] == "10.0.0.9:8080"
    assert api.as_role("staff").get(f"/v1/webhooks/{hook['id']}").status_code == 403

    receiver.respond = lambda _: Answer(204)
    retried = store.post(f"/v1/webhooks/{hook['id']}/deliveries/{delivery['id']}/retry")
    assert retried.status_code == 202, retried.text
    await notifier.run_once()
    [delivery] = store.get(f"/v1/webhooks/{hook['id']}/deliveries").json()["items"]
    assert delivery["status"] == "delivered"
    assert [a["status_code"] for a in delivery["attempts"]] == [500, 204]
    assert receiver.verified(hook["secret"])[-1]["id"] == delivery["event_id"]

    recovered = store.post(f"/v1/webhooks/{hook['id']}/recover", params={"since": since})
    assert recovered.status_code == 202
    assert recovered.json() == {"id": hook["id"], "status": "active", "requeued": 0}
    missing = store.post(f"/v1/webhooks/{hook['id']}/deliveries/999999999/retry")
    assert missing.status_code == 404


async def test_rotation_signs_with_both_secrets(
    api: Api, notifier: Notifier, receiver: Receiver
) -> None:
    store_id = api.store("geli")
    store = api.as_role("store", stores=[store_id])
    hook = subscribe(store, receiver.url).json()
    rotated = store.post(f"/v1/webhooks/{hook['id']}/rotate")
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != hook["secret"] and new.startswith("whsec_")
    listed = store.get(f"/v1/webhooks/{hook['id']}").json()
    assert listed["previous_secret_valid_until"] is not None

    api.as_role("consumer").post("/v1/cases", json=case_body("geli", store_id, "return_request"))
    await notifier.run_once()
    assert receiver.verified(hook["secret"]) == receiver.verified(new)
    until = datetime.fromisoformat(rotated.json()["previous_secret_valid_until"])
    assert timedelta(hours=23) < until - api.clock() <= timedelta(hours=24)


def test_a_subscription_to_no_store_belongs_to_its_owner_alone(
    api: Api, receiver: Receiver
) -> None:
    owner = api.as_role("store", stores=[api.store("geli")])
    other_store = api.as_role("store", stores=[api.store("geli")])
    for maker in (owner, api.admin):
        made = subscribe(maker, f"{receiver.url}?token=t0p", store_ids=[])
        assert made.status_code == 201, made.text
        hook = made.json()["id"]
        outsiders = [other_store] + ([api.admin] if maker is owner else [owner])
        for outsider in outsiders:
            listed = outsider.get("/v1/webhooks").json()["items"]
            assert hook not in [w["id"] for w in listed]
            assert outsider.get(f"/v1/webhooks/{hook}").status_code == 404
            assert outsider.get(f"/v1/webhooks/{hook}/deliveries").status_code == 404
            assert outsider.post(f"/v1/webhooks/{hook}/rotate").status_code == 404
            recovered = outsider.post(
                f"/v1/webhooks/{hook}/recover", params={"since": "2026-01-01T00:00:00Z"}
            )
            assert recovered.status_code == 404
            assert outsider.delete(f"/v1/webhooks/{hook}").status_code == 404
        assert maker.get(f"/v1/webhooks/{hook}").status_code == 200
        assert maker.delete(f"/v1/webhooks/{hook}").status_code == 204
