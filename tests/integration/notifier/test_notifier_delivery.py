"""The notifier delivering to a real HTTP receiver on loopback, on SQLite and PostgreSQL.

Time is driven with the notifier's injected clock (`Clock.advance`), never by sleeping:
`Notifier.run_once` does everything due at the clock's "now".
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.cryptography import AESCipher
from standardwebhooks.webhooks import Webhook
from support.notifier_world import STORE, Clock, World, register
from support.webhook_receiver import Answer, Received, Receiver

from domain.actors import Actor
from services.application import Redress
from services.db import async_engine, migrate
from services.notifier.retry import DEFAULT_DELAYS, RetrySchedule
from services.notifier.runner import Notifier, NotifierRole
from services.notifier.settings import NotifierSettings
from services.notifier.signing import SecretBox
from services.notifier.subscriptions import Subscriptions


@pytest.fixture
def settings(database_url: str) -> NotifierSettings:
    settings = NotifierSettings(database_url=database_url, webhook_allowed_hosts="127.0.0.1:*")
    migrate(settings)
    return settings


@pytest.fixture
async def world(settings: NotifierSettings) -> AsyncIterator[World]:
    clock = Clock()
    schedule = RetrySchedule(rng=random.Random(7))
    notifier = Notifier(settings, clock=clock, schedule=schedule)
    register(notifier.app)
    yield World(notifier, clock)
    await notifier.aclose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def signed_by(secret: str, received: Received) -> bool:
    """Whether one of the request's signatures is `secret`'s (any timestamp: the clock moves)."""
    at = datetime.fromtimestamp(int(received.headers["webhook-timestamp"]), UTC)
    expected = Webhook(secret).sign(received.headers["webhook-id"], at, received.body.decode())
    return expected in received.headers["webhook-signature"].split(" ")


def versions(events: list[dict[str, Any]], case_id: UUID) -> list[int]:
    return [e["data"]["version"] for e in events if e["subject"] == str(case_id)]


async def test_each_delivery_is_a_cloudevent_the_receiver_verifies(
    world: World, receiver: Receiver
) -> None:
    _endpoint, secret = await world.subscribe(receiver.url)
    case_id = world.case()
    world.message(case_id)

    await world.notifier.run_once()

    events = receiver.verified(secret)
    assert [e["type"] for e in events] == ["case.submitted", "case.message_posted"]
    first = events[0]
    assert first["specversion"] == "1.0"
    assert first["id"] == f"{case_id}:1" == receiver.received[0].headers["webhook-id"]
    assert first["subject"] == str(case_id)
    assert first["source"] == f"/v1/cases/{case_id}"
    assert first["data"]["store_id"] == STORE
    assert first["data"]["consumer_id"] == "consumer-1"
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert receiver.received[0].headers["content-type"].startswith("application/cloudevents+json")


async def test_the_event_that_ends_a_case_carries_its_resolution(
    world: World, receiver: Receiver
) -> None:
    _endpoint, secret = await world.subscribe(receiver.url)
    case_id = world.case()
    world.message(case_id)
    by = world.by(Actor("consumer", "consumer-1"))
    world.app.act(case_id, by, lambda case, policy: case.withdraw(policy, by, "Sorted it."))

    await world.notifier.run_once()

    events = receiver.verified(secret)
    ended = [(e["type"], e["data"]["resolution"]) for e in events]
    assert ended == [
        ("case.submitted", None),
        ("case.message_posted", None),
        ("case.withdrawn", "withdrawn"),
    ]


async def test_only_wanted_types_and_stores_are_delivered(world: World, receiver: Receiver) -> None:
    await world.subscribe(receiver.url, types=["case.message_posted"])
    await world.subscribe(receiver.url + "/other", stores=["another-store"])
    case_id = world.case()
    world.message(case_id)

    await world.notifier.run_once()

    assert [e["type"] for e in receiver.events()] == ["case.message_posted"]


async def test_a_failing_delivery_holds_back_later_ones_of_its_case_only(
    world: World, receiver: Receiver
) -> None:
    await world.subscribe(receiver.url)
    failing, healthy = world.case("consumer-a"), world.case("consumer-b")
    for case_id in (failing, healthy):
        world.message(case_id, "one")
        world.message(case_id, "two")
    refused = {f"{failing}:1"}

    def respond(received: Received) -> Answer:
        if received.headers["webhook-id"] in refused:
            refused.clear()
            return Answer(500)
        return Answer(204)

    receiver.respond = respond
    await world.notifier.run_once()
    assert versions(receiver.events(), failing) == [1]
    assert versions(receiver.events(), healthy) == [1, 2, 3]

    world.clock.advance(timedelta(seconds=6))
    await world.notifier.run_once()
    assert versions(receiver.events(), failing) == [1, 1, 2, 3]


@pytest.mark.postgres
async def test_claims_are_planned_for_the_rows_due_when_they_run(postgres_database: str) -> None:
    """An idle notifier claims from an empty due set again and again. PostgreSQL would then
    switch the claim's prepared statement to a generic plan made for no rows, which stays
    when a burst arrives (in the webhooks bench, deliveries fell from about 1,600/s to 72/s
    until autovacuum analysed the table). Each claim is planned afresh. (PostgreSQL's plan
    cache: SQLite has none to go wrong.)"""
    settings = NotifierSettings(database_url=postgres_database)
    migrate(settings)
    notifier = Notifier(settings, clock=Clock())
    try:
        deliverer = notifier.deliverer
        for _ in range(12):  # one after another: each borrows the pool's one connection
            assert await deliverer.claim(datetime.now(UTC)) == []
        async with deliverer.engine.connect() as connection:
            plans = (
                await connection.exec_driver_sql(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                    "WHERE statement LIKE 'UPDATE webhook_deliveries SET claimed_by%'"
                )
            ).all()
    finally:
        await notifier.aclose()
    assert plans, "the claim ran on this connection as a prepared statement"
    assert [generic for generic, _ in plans] == [0] * len(plans)


async def test_a_failing_endpoint_holds_back_nothing_on_another_endpoint(
    world: World, receiver: Receiver
) -> None:
    await world.subscribe(receiver.url + "/failing")
    await world.subscribe(receiver.url + "/healthy")
    receiver.respond = lambda r: Answer(503 if r.path.endswith("/failing") else 204)
    case_id = world.case()
    world.message(case_id)

    await world.notifier.run_once()

    healthy = [r.event for r in receiver.received if r.path.endswith("/healthy")]
    failing = [r.event for r in receiver.received if r.path.endswith("/failing")]
    assert versions(healthy, case_id) == [1, 2]
    assert versions(failing, case_id) == [1]


async def test_retries_follow_the_schedule_then_the_delivery_fails(
    world: World, receiver: Receiver
) -> None:
    endpoint_id, _ = await world.subscribe(receiver.url)
    receiver.respond = lambda _: Answer(503, body=b"x" * 4000)
    world.case()

    await world.notifier.run_once()
    assert receiver.count() == 1
    for attempt, delay in enumerate(DEFAULT_DELAYS[1:], start=2):
        world.clock.advance(delay * 0.85)
        await world.notifier.run_once()
        assert receiver.count() == attempt - 1, "retried before its time"
        world.clock.advance(delay * 0.3)
        await world.notifier.run_once()
        assert receiver.count() == attempt

    world.clock.advance(timedelta(days=2))
    await world.notifier.run_once()
    assert receiver.count() == len(DEFAULT_DELAYS)
    [delivery] = await world.deliveries(endpoint_id)
    assert delivery["status"] == "failed"
    assert len(delivery["attempts"]) == len(DEFAULT_DELAYS)
    first = delivery["attempts"][0]
    assert first["status_code"] == 503
    assert first["latency_ms"] >= 0
    assert first["response"] == "x" * 256  # at most 256 bytes of the answer are kept


async def test_retry_after_is_honoured(world: World, receiver: Receiver) -> None:
    await world.subscribe(receiver.url)
    answers = [Answer(429, {"Retry-After": "120"})]
    receiver.respond = lambda _: answers.pop() if answers else Answer(204)
    world.case()

    await world.notifier.run_once()
    world.clock.advance(timedelta(seconds=60))  # the schedule alone would retry after 5 s
    await world.notifier.run_once()
    assert receiver.count() == 1

    world.clock.advance(timedelta(seconds=61))
    await world.notifier.run_once()
    assert receiver.count() == 2


async def test_410_disables_the_endpoint_and_tells_the_owner(
    world: World, receiver: Receiver
) -> None:
    gone, _ = await world.subscribe(receiver.url + "/gone")
    await world.subscribe(receiver.url + "/notices", types=["webhook.endpoint_disabled"])
    receiver.respond = lambda r: Answer(410 if r.event["type"].startswith("case.") else 204)
    case_id = world.case()

    await world.notifier.run_once()
    endpoint = await world.endpoint(gone)
    assert (endpoint.status, endpoint.disabled_reason) == ("disabled", "gone")
    notices = [e for e in receiver.events() if e["type"] == "webhook.endpoint_disabled"]
    assert [(n["subject"], n["data"]["reason"]) for n in notices] == [(gone, "gone")]

    world.message(case_id)
    world.clock.advance(timedelta(hours=1))
    await world.notifier.run_once()
    assert [e["type"] for e in receiver.events()].count("case.submitted") == 1


async def test_an_admins_endpoint_notice_goes_to_admin_subscriptions_only(
    world: World, receiver: Receiver
) -> None:
    gone, _ = await world.subscribe(receiver.url + "/gone", every_store=True)
    await world.subscribe(receiver.url + "/store", types=["webhook.*"])
    await world.subscribe(receiver.url + "/admin", types=["webhook.*"], every_store=True)
    receiver.respond = lambda r: Answer(410 if r.event["type"].startswith("store.") else 204)
    register(world.app, "geli-store-2")  # admin subscriptions get store records

    await world.notifier.run_once()
    told = [r.headers["webhook-id"] for r in receiver.received if r.event["subject"] == gone]
    assert len(told) == 1
    assert receiver.events()[-1]["type"] == "webhook.endpoint_disabled"
    assert sum(1 for r in receiver.received if r.event["type"].startswith("webhook.")) == 1


async def test_five_days_of_failure_disable_the_endpoint(world: World, receiver: Receiver) -> None:
    failing, _ = await world.subscribe(receiver.url + "/down")
    await world.subscribe(receiver.url + "/notices", types=["webhook.*"])
    receiver.respond = lambda r: Answer(502 if r.event["type"].startswith("case.") else 204)
    case_id = world.case()
    await world.notifier.run_once()

    world.clock.advance(timedelta(days=4))
    world.message(case_id)
    await world.notifier.run_once()
    assert (await world.endpoint(failing)).status == "active"

    world.clock.advance(timedelta(days=1, minutes=1))
    await world.notifier.run_once()
    endpoint = await world.endpoint(failing)
    assert (endpoint.status, endpoint.disabled_reason) == ("disabled", "failing")
    notices = [e for e in receiver.events() if e["type"] == "webhook.endpoint_disabled"]
    assert [n["data"]["endpoint_id"] for n in notices] == [failing]


async def test_a_rotated_secret_keeps_signing_for_a_day(world: World, receiver: Receiver) -> None:
    endpoint_id, old = await world.subscribe(receiver.url)
    new, _until = await world.subscriptions.rotate(endpoint_id, world.clock())
    case_id = world.case()
    await world.notifier.run_once()
    assert receiver.verified(old) == receiver.verified(new)
    assert len(receiver.received[0].headers["webhook-signature"].split(" ")) == 2

    world.clock.advance(timedelta(hours=24, minutes=1))
    world.message(case_id)
    await world.notifier.run_once()
    latest = receiver.received[-1]
    assert signed_by(new, latest) and not signed_by(old, latest)


async def test_a_receiver_down_for_a_minute_gets_everything_in_order(
    world: World, receiver: Receiver
) -> None:
    await world.subscribe(receiver.url)
    receiver.stop()
    cases = [world.case(f"consumer-{n}") for n in range(3)]
    for case_id in cases:
        for n in range(4):
            world.message(case_id, f"message {n}")
    for _ in range(6):
        await world.notifier.run_once()
        world.clock.advance(timedelta(seconds=10))
    receiver.start()

    world.clock.advance(timedelta(minutes=6))  # past the third attempt (5 s, then 5 min)
    await world.notifier.run_once()

    events = receiver.events()
    assert len(events) == len({e["id"] for e in events}) == 15
    for case_id in cases:
        assert versions(events, case_id) == [1, 2, 3, 4, 5]


async def test_recovery_redelivers_what_failed_since_then(world: World, receiver: Receiver) -> None:
    endpoint_id, _ = await world.subscribe(receiver.url)
    receiver.respond = lambda _: Answer(500)
    start = world.clock()
    world.case()
    await world.notifier.run_once()
    world.clock.advance(timedelta(days=2))  # every attempt made: the delivery has failed
    for _ in range(len(DEFAULT_DELAYS)):
        await world.notifier.run_once()
        world.clock.advance(timedelta(hours=11))
    [delivery] = await world.deliveries(endpoint_id)
    assert delivery["status"] == "failed"

    receiver.respond = lambda _: Answer(200)
    assert await world.subscriptions.recover(endpoint_id, start, world.clock()) == 1
    await world.notifier.run_once()
    [delivery] = await world.deliveries(endpoint_id)
    assert delivery["status"] == "delivered"
    assert delivery["attempts"][-1]["status_code"] == 200


class RebindingResolver:
    """DNS that answers a public address at first and loopback afterwards (DNS rebinding)."""

    def __init__(self) -> None:
        self.answers = ["93.184.216.34", "127.0.0.1"]

    async def resolve(self, host: str, port: int) -> list[str]:
        return [self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]]


async def test_the_address_is_checked_again_at_delivery(
    settings: NotifierSettings, world: World, receiver: Receiver
) -> None:
    resolver = RebindingResolver()
    notifier = Notifier(settings, clock=world.clock, resolver=resolver)
    try:
        await notifier.sender.guard.check("http://rebind.example/hooks")  # public at first
        endpoint_id, _ = await world.subscribe(f"http://rebind.example:{receiver.port}/hooks")
        world.case()
        await notifier.run_once()
    finally:
        await notifier.aclose()

    assert receiver.count() == 0
    [delivery] = await world.deliveries(endpoint_id)
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] is None
    assert attempt["error"].startswith("refused:") and "not allowed" in attempt["error"]
    assert "127.0.0.1" not in attempt["error"]  # what the name resolved to is not told


async def test_secrets_are_sealed_at_rest_when_a_key_is_set(
    database_url: str, receiver: Receiver
) -> None:
    key = AESCipher.create_key(32)
    settings = NotifierSettings(
        database_url=database_url, webhook_allowed_hosts="127.0.0.1:*", encryption_key=key
    )
    migrate(settings)
    notifier = Notifier(settings)
    try:
        world = World(notifier, Clock())
        world.subscriptions = Subscriptions(notifier.async_engine, SecretBox(key))
        register(notifier.app)
        endpoint_id, secret = await world.subscribe(receiver.url)
        world.case()
        await notifier.run_once()
        stored = (await world.endpoint(endpoint_id)).secret
    finally:
        await notifier.aclose()
    assert stored.startswith("aesgcm:") and secret not in stored
    assert len(receiver.verified(secret)) == 1


def test_the_serve_role_delivers_in_the_background(
    settings: NotifierSettings, receiver: Receiver
) -> None:
    async def subscribe() -> str:
        engine = async_engine(settings)
        try:
            subscriptions = Subscriptions(engine, SecretBox(None))
            _, secret = await subscriptions.create(
                ("admin", "root"), receiver.url, ["store.*"], None, datetime.now(UTC)
            )
        finally:
            await engine.dispose()
        return secret

    secret = asyncio.run(subscribe())
    role = NotifierRole(settings.model_copy(update={"notifier_poll_interval": 0.05}))
    role.start()
    app = Redress(env=settings.eventsourcing_env())
    try:
        register(app)
        receiver.wait_for(1)
    finally:
        app.close()
        role.stop()
    assert receiver.verified(secret)[0]["type"] == "store.registered"


def test_a_role_that_cannot_start_says_so(settings: NotifierSettings) -> None:
    broken = settings.model_copy(update={"smtp_url": "http://not-smtp.example"})
    with pytest.raises(RuntimeError, match="could not start"):
        NotifierRole(broken).start()


async def test_case_events_reach_only_subscriptions_whose_maker_may_read_the_case(
    world: World, receiver: Receiver
) -> None:
    await world.subscribe(receiver.url + "/admin", every_store=True)
    await world.subscribe(receiver.url + "/admin-store", stores=[STORE], owner=("admin", "root"))
    await world.subscribe(receiver.url + "/store")
    world.case()
    register(world.app, "geli-store-3")
    await world.notifier.run_once()
    got = {(r.path.rsplit("/", 1)[-1], r.event["type"].split(".")[0]) for r in receiver.received}
    assert ("store", "case") in got
    assert ("admin", "store") in got
    assert {path for path, family in got if family == "case"} == {"store"}
