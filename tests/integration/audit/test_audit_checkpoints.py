"""Signed checkpoints of the log (issue 21, part 3), on SQLite and PostgreSQL: signed every N
events and on the interval, once per position; published to a file and as a webhook; and
`redress audit verify` catches each tampering against checkpoints kept outside.

Time is the checkpointer's injected clock, never a sleep.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Engine, func, select
from support.tamper import delete_last, positions, rewrite, swap
from support.webhook_receiver import Receiver
from typer.testing import CliRunner

from domain.actors import Actor, By
from domain.filing import Order
from projections.tracking import head
from services.application import NewCase, Redress
from services.audit import publish
from services.audit.checkpointer import Checkpointer
from services.audit.role import CheckpointRole
from services.audit.settings import AuditSettings
from services.audit.signing import Signer, new_key, public_key, signature_valid
from services.audit.tables import audit_checkpoints
from services.db import migrate, sync_engine
from services.entrypoints.cli import app as cli
from services.notifier.retry import RetrySchedule
from services.notifier.runner import Notifier
from services.notifier.settings import NotifierSettings
from services.notifier.signing import SecretBox
from services.notifier.subscriptions import Subscriptions

STORE = "geli-store-1"
ADMIN, STAFF = Actor("admin", "root"), Actor("staff", "s1")
EVERY = 10


class Clock:
    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


class World:
    def __init__(self, url: str) -> None:
        self.seed, self.public = new_key()
        self.settings = AuditSettings(database_url=url, audit_signing_key=self.seed)
        migrate(self.settings)
        self.app = Redress(env=self.settings.eventsourcing_env())
        self.engine = sync_engine(self.settings)
        self.clock = Clock()
        self.checkpointer = self.signer()
        self.app.register_store(
            self.by(ADMIN),
            store_id=STORE,
            platform="geli",
            name="Shop",
            certified=True,
            country="CN",
            timezone="Asia/Shanghai",
        )

    def signer(self) -> Checkpointer:
        return Checkpointer(self.app, self.engine, Signer.of(self.seed), self.clock, every=EVERY)

    def by(self, actor: Actor) -> By:
        return By.at(actor, datetime.now(UTC))

    def case(self, consumer: str = "consumer-1") -> UUID:
        order = Order("ord-1", Decimal("120.00"), "USD", datetime.now(UTC) - timedelta(days=2))
        new = NewCase("geli", STORE, consumer, "return_request", order, "It broke.")
        return UUID(self.app.submit_case(self.by(Actor("consumer", consumer)), new)["id"])

    def message(self, case_id: UUID, body: str = "hello") -> None:
        by = self.by(STAFF)
        self.app.act(case_id, by, lambda case, policy: case.post_message(policy, by, body))

    def log_until(self, position: int) -> list[UUID]:
        """File cases and post messages until the log reaches `position`."""
        cases: list[UUID] = []
        while head(self.app) < position:
            if not cases or head(self.app) % 3 == 0:
                cases.append(self.case(f"consumer-{len(cases)}"))
            else:
                self.message(random.Random(head(self.app)).choice(cases))
        return cases

    def checkpoints(self) -> list[dict[str, Any]]:
        with self.engine.connect() as connection:
            rows = connection.execute(select(audit_checkpoints).order_by("position")).all()
        return [publish.public(row) for row in rows]

    def keep(self, path: Path) -> Path:
        """The checkpoints copied outside the database, as JSON lines."""
        publish.append_to_file(self.engine, path)
        return path

    def audit_verify(self, kept: Path) -> Any:
        env = {"REDRESS_DATABASE_URL": self.settings.database_url, "COLUMNS": "200"}
        args = ["audit", "verify", "--checkpoints", str(kept), "--public-key", self.public]
        return CliRunner().invoke(cli, args, env=env)


@pytest.fixture
def world(database_url: str) -> Iterator[World]:
    world = World(database_url)
    yield world
    world.engine.dispose()
    world.app.close()


def test_a_checkpoint_is_signed_once_n_events_are_logged(world: World) -> None:
    world.log_until(EVERY - 1)
    assert world.checkpointer.run() == []

    world.log_until(EVERY + 3)
    made = world.checkpointer.run()

    assert [c["position"] for c in made] == [EVERY]  # the N-th event, not the head
    assert made == world.checkpoints()
    checkpoint = made[0]
    assert checkpoint["events"] == EVERY and checkpoint["chains"] >= 1
    assert signature_valid(public_key(world.public), checkpoint)
    assert world.checkpointer.run() == []  # nothing new: nothing signed twice


def test_the_interval_signs_new_events_without_waiting_for_n(world: World) -> None:
    world.log_until(3)
    assert world.checkpointer.run() == []

    world.clock.advance(timedelta(minutes=10))
    made = world.checkpointer.run()
    assert [c["position"] for c in made] == [3]

    world.clock.advance(timedelta(minutes=10))
    assert world.checkpointer.run() == []  # no new event: no new checkpoint
    world.log_until(4)
    world.clock.advance(timedelta(minutes=10))
    assert [c["position"] for c in world.checkpointer.run()] == [4]


def test_replicas_sign_each_position_once(world: World) -> None:
    world.log_until(5 * EVERY)
    replicas = [world.signer() for _ in range(3)]
    threads = [threading.Thread(target=r.run) for r in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    signed = [c["position"] for c in world.checkpoints()]
    assert signed == [EVERY * n for n in range(1, 6)]


def test_a_step_worked_out_before_another_replica_stepped_is_worked_out_again(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A step worked out without the lock (the batch folded, a checkpoint signed) is dropped
    once another replica has moved the follower meanwhile: nothing is signed twice or from
    stale heads."""
    world.log_until(EVERY - 1)
    world.checkpointer.run()  # the follower's row, with nothing to sign yet
    world.log_until(2 * EVERY + 3)
    late, first = world.signer(), world.signer()
    stale = late._ahead()
    assert stale is not None and [c["position"] for c in stale.checkpoints] == [EVERY, 2 * EVERY]

    first.run()
    world.log_until(3 * EVERY + 1)
    monkeypatch.setattr(late, "_ahead", lambda: stale)  # as if worked out before first.run()
    signed = late.run()

    assert [c["position"] for c in signed] == [3 * EVERY]
    assert [c["position"] for c in world.checkpoints()] == [EVERY, 2 * EVERY, 3 * EVERY]
    result = world.audit_verify(world.keep(tmp_path / "kept.jsonl"))
    assert result.exit_code == 0, result.output


def test_the_file_gets_every_checkpoint_once_in_order(world: World, tmp_path: Path) -> None:
    path = tmp_path / "kept" / "checkpoints.jsonl"
    world.log_until(2 * EVERY)
    world.checkpointer.run()
    assert publish.append_to_file(world.engine, path) == 2
    world.log_until(3 * EVERY)
    world.checkpointer.run()
    assert publish.append_to_file(world.engine, path) == 1
    assert publish.append_to_file(world.engine, path) == 0

    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines == world.checkpoints()
    assert [c["position"] for c in lines] == [EVERY, 2 * EVERY, 3 * EVERY]


@pytest.fixture
async def notifier(world: World) -> AsyncIterator[Notifier]:
    settings = NotifierSettings(
        database_url=world.settings.database_url, webhook_allowed_hosts="127.0.0.1:*"
    )
    running = Notifier(settings, clock=world.clock, schedule=RetrySchedule(rng=random.Random(7)))
    yield running
    await running.aclose()


async def test_each_checkpoint_is_a_webhook_the_receiver_verifies(
    world: World, notifier: Notifier
) -> None:
    with Receiver() as receiver:
        subscriptions = Subscriptions(notifier.async_engine, SecretBox(None))
        _made, secret = await subscriptions.create(
            ("store", "owner"), receiver.url, ["audit.checkpoint"], [STORE], world.clock()
        )
        world.log_until(EVERY)
        world.clock.advance(timedelta(seconds=1))
        [checkpoint] = world.checkpointer.run()

        await notifier.run_once()

        [event] = receiver.verified(secret)  # the Standard Webhooks signature checks out
    assert event["type"] == "audit.checkpoint"
    assert event["id"] == f"checkpoint:{EVERY}" == receiver.received[0].headers["webhook-id"]
    assert event["data"] == checkpoint
    assert signature_valid(public_key(world.public), event["data"])


def test_a_clean_log_verifies(world: World, tmp_path: Path) -> None:
    world.log_until(3 * EVERY + 4)
    world.checkpointer.run()
    world.clock.advance(timedelta(minutes=10))  # the last 4 events, on the interval
    world.checkpointer.run()

    result = world.audit_verify(world.keep(tmp_path / "kept.jsonl"))

    assert result.exit_code == 0, result.output
    assert "log verified against 4 checkpoints" in result.output


def test_deleting_the_last_events_is_detected(world: World, tmp_path: Path) -> None:
    world.log_until(2 * EVERY)
    world.checkpointer.run()
    kept = world.keep(tmp_path / "kept.jsonl")

    delete_last(world.app, world.engine, 5)
    result = world.audit_verify(kept)

    assert result.exit_code == 1, result.output
    assert "missing" in result.output and "5 deleted" in result.output
    assert f"first bad position {2 * EVERY - 4}" in result.output


def test_an_event_rewritten_and_its_chain_rehashed_is_detected(
    world: World, tmp_path: Path
) -> None:
    cases = world.log_until(3 * EVERY)
    world.checkpointer.run()
    kept = world.keep(tmp_path / "kept.jsonl")
    victim = max(cases, key=lambda c: world.app.get_case(c)["version"])

    altered = rewrite(world.app, world.engine, victim, 2, body="I was refunded in full.")

    fresh = Redress(env=world.settings.eventsourcing_env())
    try:
        assert fresh.verify(victim)["valid"]  # the chain alone no longer tells
    finally:
        fresh.close()
    result = world.audit_verify(kept)
    assert result.exit_code == 1, result.output
    assert "rewritten" in result.output
    first_failing = min(p for p in (EVERY, 2 * EVERY, 3 * EVERY) if p >= altered)
    start = first_failing - EVERY + 1
    assert f"positions {start}..{first_failing}" in result.output
    assert f"first bad position {start}" in result.output


def test_two_events_swapped_in_the_log_are_detected(world: World, tmp_path: Path) -> None:
    world.log_until(2 * EVERY)
    world.checkpointer.run()
    kept = world.keep(tmp_path / "kept.jsonl")
    logged = positions(world.app)
    by_position = {at: aggregate for (aggregate, _v), at in logged.items()}
    # two neighbouring events of different aggregates: every chain stays whole
    first = next(at for at in range(EVERY + 1, 2 * EVERY) if by_position[at] != by_position[at + 1])

    swap(world.app, world.engine, first, first + 1)
    result = world.audit_verify(kept)

    assert result.exit_code == 1, result.output
    assert "reordered" in result.output
    assert f"first bad position {EVERY + 1}" in result.output


def test_two_events_of_one_case_swapped_are_named_exactly(world: World, tmp_path: Path) -> None:
    cases = world.log_until(2 * EVERY)
    world.checkpointer.run()
    kept = world.keep(tmp_path / "kept.jsonl")
    logged = positions(world.app)
    victim = next(c for c in cases if (c, 3) in logged)

    swap(world.app, world.engine, logged[(victim, 2)], logged[(victim, 3)])
    result = world.audit_verify(kept)

    assert result.exit_code == 1, result.output
    assert "out_of_order" in result.output
    assert f"first bad position {logged[(victim, 2)]}" in result.output


def test_a_forged_checkpoint_is_refused(world: World, tmp_path: Path) -> None:
    world.log_until(EVERY)
    [checkpoint] = world.checkpointer.run()
    forged = tmp_path / "forged.jsonl"
    forged.write_text(json.dumps({**checkpoint, "root": "0" * 64}) + "\n")

    result = world.audit_verify(forged)

    assert result.exit_code == 1, result.output
    assert "bad_signature" in result.output


def test_one_checkpoint_per_position_is_all_the_table_takes(world: World) -> None:
    world.log_until(EVERY)
    world.checkpointer.run()
    with world.engine.connect() as connection:
        count = connection.execute(select(func.count()).select_from(audit_checkpoints)).scalar()
    assert count == 1
    assert isinstance(world.engine, Engine)


def test_the_role_signs_and_appends_to_the_file_in_the_background(
    world: World, tmp_path: Path
) -> None:
    path = tmp_path / "checkpoints.jsonl"
    settings = world.settings.model_copy(
        update={
            "audit_checkpoint_every": EVERY,
            "audit_checkpoint_file": path,
            "audit_checkpoint_poll": 0.05,
        }
    )
    world.log_until(EVERY)
    role = CheckpointRole(settings)
    role.start()
    try:
        deadline = time.monotonic() + 60
        while not (path.exists() and path.read_text()) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        role.stop()
    [line] = path.read_text().splitlines()
    assert json.loads(line) == world.checkpoints()[0]


def test_audit_case_id_still_prints_a_cases_history(world: World) -> None:
    case_id = world.case()
    env = {"REDRESS_DATABASE_URL": world.settings.database_url, "COLUMNS": "200"}

    result = CliRunner().invoke(cli, ["audit", str(case_id)], env=env)

    assert result.exit_code == 0, result.output
    assert "Submitted" in result.output and "hash chain valid" in result.output
