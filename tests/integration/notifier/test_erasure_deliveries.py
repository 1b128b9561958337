"""Erasure reaches what the notifier copied, on SQLite and PostgreSQL: webhook payloads kept in
the delivery log, receivers' answers and e-mails are overwritten in the same step, the log's
reads show "[erased]", and the database keeps none of the texts. Later deliveries (the
`SubjectErased` event itself) carry none."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import pytest
from support.database_bytes import database_bytes, leaks
from support.notifier_world import STAFF, Clock, World, register
from support.webhook_receiver import Receiver

from domain.actors import Actor, By
from domain.sealing import subject_of
from services.db import migrate
from services.erasure import erase_subject
from services.notifier.retry import RetrySchedule
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings


@pytest.fixture
async def world(database_url: str, smtp_server: tuple[int, Path]) -> AsyncIterator[World]:
    settings = NotifierSettings(
        database_url=database_url,
        webhook_allowed_hosts="127.0.0.1:*",
        smtp_url=f"smtp://127.0.0.1:{smtp_server[0]}",
        email_consumer_address="{id}@consumers.test",
        email_store_address="support+{id}@shops.test",
    )
    migrate(settings)
    clock = Clock()
    notifier = Notifier(settings, clock=clock, schedule=RetrySchedule(rng=random.Random(7)))
    register(notifier.app)
    yield World(notifier, clock)
    await notifier.aclose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


async def test_erasure_overwrites_webhook_payloads_and_mails(
    world: World, receiver: Receiver, tmp_path: Path
) -> None:
    secrets = [f"SECRET-{name}-{uuid4().hex[:10]}" for name in ("message", "note")]
    endpoint, _secret = await world.subscribe(receiver.url)
    case_id = world.case("consumer-7")
    world.message(case_id, secrets[0])
    by = By.at(STAFF, datetime.now(UTC))
    world.app.act(case_id, by, lambda case, policy: case.escalate(policy, by, secrets[1]))
    await world.notifier.run_once()
    settings = world.notifier.settings
    assert leaks(b"".join(r.body for r in receiver.received), secrets) == secrets
    assert leaks(database_bytes(settings, tmp_path), secrets)  # the delivery log's payloads

    dpo = By.at(Actor("staff", "dpo"), datetime.now(UTC))
    erase_subject(world.app, subject_of("geli", "consumer-7"), dpo, "asked")
    await world.notifier.run_once()

    erased = receiver.received[-1]
    assert b"case.subject_erased" in erased.body
    assert leaks(erased.body, secrets) == []
    assert {d["status"] for d in await world.deliveries(endpoint)} == {"delivered"}
    assert leaks(database_bytes(settings, tmp_path), secrets) == []
