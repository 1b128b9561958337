"""`redress notifier` processes on one PostgreSQL: they share the work without taking each
other's deliveries, and a notifier killed mid-delivery loses nothing (at-least-once)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from support.webhook_receiver import Receiver, free_port

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase, Redress
from services.db import async_engine, migrate
from services.notifier.settings import NotifierSettings
from services.notifier.signing import SecretBox
from services.notifier.subscriptions import Subscriptions
from services.notifier.tables import webhook_attempts, webhook_deliveries

STORE = "geli-store-7"
REDRESS = Path(sys.executable).with_name("redress")


class Fleet:
    """Notifier processes on one database, with their output kept for the failure message."""

    def __init__(self, database_url: str, tmp_path: Path, **env: str) -> None:
        self.env = {
            **os.environ,
            "REDRESS_DATABASE_URL": database_url,
            "REDRESS_WEBHOOK_ALLOWED_HOSTS": "127.0.0.1:*",
            "REDRESS_NOTIFIER_POLL_INTERVAL": "0.05",
            "REDRESS_DB_POOL_SIZE": "2",  # the test server's connections are shared
            **env,
        }
        self.tmp_path, self.processes = tmp_path, []  # type: list[subprocess.Popen[bytes]]

    def start(self, **env: str) -> subprocess.Popen[bytes]:
        log = self.tmp_path / f"notifier-{len(self.processes)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [str(REDRESS), "notifier"],
                env={**self.env, **env},
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.processes.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(p.read_text() for p in sorted(self.tmp_path.glob("notifier-*.log")))

    def running(self) -> bool:
        """Every notifier has started (until then SIGTERM kills it rather than draining it)."""
        logs = [p.read_text() for p in sorted(self.tmp_path.glob("notifier-*.log"))]
        return len(logs) == len(self.processes) and all("notifier running" in t for t in logs)

    def stop(self) -> list[int]:
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        return [process.wait(timeout=30) for process in self.processes]


@pytest.fixture
def fleet(settings: NotifierSettings, tmp_path: Path) -> Iterator[Callable[..., Fleet]]:
    made: list[Fleet] = []

    def make(**env: str) -> Fleet:
        made.append(Fleet(settings.database_url, tmp_path, **env))
        return made[-1]

    yield make
    for each in made:
        each.stop()


@pytest.fixture
def settings(postgres_database: str) -> NotifierSettings:
    settings = NotifierSettings(database_url=postgres_database)
    migrate(settings)
    return settings


@pytest.fixture
def redress(settings: NotifierSettings) -> Iterator[Redress]:
    app = Redress(env=settings.eventsourcing_env())
    app.register_store(
        By.at(Actor("admin", "root"), datetime.now(UTC)),
        store_id=STORE,
        platform="geli",
        name="Shop",
        certified=True,
        country="CN",
        timezone="Asia/Shanghai",
    )
    yield app
    app.close()


@pytest.fixture
async def subscriptions(settings: NotifierSettings) -> AsyncIterator[Subscriptions]:
    engine = async_engine(settings)
    yield Subscriptions(engine, SecretBox(None))
    await engine.dispose()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with Receiver() as running:
        yield running


def file_case(app: Redress, consumer: str, messages: int) -> UUID:
    now = datetime.now(UTC)
    order = Order("ord-1", Decimal("50.00"), "USD", now - timedelta(days=2))
    new = NewCase("geli", STORE, consumer, "return_request", order, "It broke.")
    case_id = UUID(app.submit_case(By.at(Actor("consumer", consumer), now), new)["id"])
    for n in range(messages):
        by = By.at(Actor("staff", "s1"), datetime.now(UTC))
        app.act(
            case_id, by, lambda case, policy, by=by, n=n: case.post_message(policy, by, f"m{n}")
        )
    return case_id


def _delivered(metrics_port: int) -> float:
    """Deliveries this notifier made, from its own /metrics."""
    page = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(page)
        for sample in family.samples
        if sample.name == "redress_webhook_attempts_total"
        and sample.labels.get("result") == "delivered"
    )


def wait_until(condition: Callable[[], bool], fleet: Fleet, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting; notifier output:\n{fleet.logs()}"
        time.sleep(0.05)


async def test_two_notifiers_share_the_work_without_duplicate_attempts(
    settings: NotifierSettings,
    redress: Redress,
    subscriptions: Subscriptions,
    receiver: Receiver,
    fleet: Callable[..., Fleet],
) -> None:
    created, secret = await subscriptions.create(
        ("store", "owner"), receiver.url, ["*"], [STORE], datetime.now(UTC)
    )
    cases = [file_case(redress, f"consumer-{n}", messages=3) for n in range(12)]
    expected = len(cases) * 4
    # Twelve first events are due when they start. One claim loop of 5 each: a notifier whose
    # requests hang can claim no more, so 6 requests hanging at once means both claimed work.
    notifiers = fleet(
        REDRESS_NOTIFIER_BATCH="5",
        REDRESS_NOTIFIER_WORKERS="1",
        REDRESS_WEBHOOK_TIMEOUT="120",
        REDRESS_NOTIFIER_LEASE="180",
    )
    receiver.hold()
    ports = [free_port(), free_port()]
    for port in ports:
        notifiers.start(REDRESS_METRICS_PORT=str(port))
    wait_until(lambda: receiver.arrivals >= 6, notifiers)
    receiver.release()

    wait_until(lambda: receiver.count() >= expected, notifiers)
    wait_until(notifiers.running, notifiers)
    # Each notifier's own count of what it delivered (once its last attempts are recorded).
    wait_until(lambda: sum(_delivered(port) for port in ports) >= expected, notifiers)
    delivered = [_delivered(port) for port in ports]
    assert notifiers.stop() == [0, 0]
    assert sum(delivered) == expected and min(delivered) > 0, delivered

    events = receiver.verified(secret)
    assert len(events) == expected, "a delivery was sent twice"
    assert len({e["id"] for e in events}) == expected
    for case_id in cases:
        assert [e["data"]["version"] for e in events if e["subject"] == str(case_id)] == [
            1,
            2,
            3,
            4,
        ]
    engine = async_engine(settings)
    async with engine.connect() as connection:
        per_delivery = await connection.execute(
            select(webhook_attempts.c.delivery_id, func.count()).group_by(
                webhook_attempts.c.delivery_id
            )
        )
        assert Counter(n for _, n in per_delivery) == {1: expected}
    await engine.dispose()
    assert created["status"] == "active"


async def test_a_notifier_killed_mid_delivery_redelivers_after_restart(
    settings: NotifierSettings,
    redress: Redress,
    subscriptions: Subscriptions,
    receiver: Receiver,
    fleet: Callable[..., Fleet],
) -> None:
    await subscriptions.create(("store", "owner"), receiver.url, ["*"], [STORE], datetime.now(UTC))
    # A short lease, so that the restarted notifier claims the orphaned delivery soon.
    notifiers = fleet(REDRESS_WEBHOOK_TIMEOUT="3", REDRESS_NOTIFIER_LEASE="4")
    receiver.hold()
    first = notifiers.start()
    case_id = file_case(redress, "consumer-k", messages=1)
    wait_until(lambda: receiver.arrivals >= 1, notifiers)

    first.send_signal(signal.SIGKILL)
    assert first.wait(timeout=30) == -signal.SIGKILL
    receiver.release()
    notifiers.start()  # the restart: it claims the orphan once its lease has ended
    wait_until(lambda: receiver.count() >= 3, notifiers)  # the orphan again, then the message
    notifiers.stop()

    ids = [r.headers["webhook-id"] for r in receiver.received]
    assert ids[0] == ids[1] == f"{case_id}:1", "the interrupted delivery was sent again"
    assert ids[2] == f"{case_id}:2", "and the case's next event only after it"
    engine = async_engine(settings)
    async with engine.connect() as connection:
        statuses = await connection.execute(select(webhook_deliveries.c.status))
        assert sorted(s for (s,) in statuses) == ["delivered", "delivered"]
    await engine.dispose()
