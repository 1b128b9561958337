"""Many cases' timeouts in one save (`Redress.record_timeouts`, what a scheduler batch does),
and the two-query read of many cases behind it on PostgreSQL (`services.eventstore.bulk_get`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.persistence import IntegrityError

from domain.actors import Actor, By
from domain.case import Case
from domain.filing import Order
from services.application import NewCase, Redress
from services.case_view import case_state
from services.db import migrate
from services.eventstore import bulk_get
from services.eventstore.application import SNAPSHOT_INTERVAL
from services.settings import Settings

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)  # a Monday
ADMIN, CONSUMER, STORE = Actor("admin", "a-1"), Actor("consumer", "c-1"), Actor("store", "s-1")
LATER = T0 + timedelta(days=30)  # every first deadline is due by then


def open_app(url: str, cls: type[Redress] = Redress, **settings: Any) -> Redress:
    migrate(Settings(database_url=url))
    return cls(env=Settings(database_url=url, **settings).eventsourcing_env())


def register_store(app: Redress) -> None:
    app.register_store(
        By.at(ADMIN, T0),
        store_id="s-1",
        platform="biggrey",
        name="Kettles Ltd",
        certified=False,
        country="GB",
        timezone="Europe/London",
    )


def submit(app: Redress) -> UUID:
    order = Order("order-1", Decimal("120.00"), "USD", delivered_at=T0 - timedelta(days=14))
    new = NewCase("biggrey", "s-1", "c-1", "complaint", order, "The kettle leaks")
    return UUID(app.submit_case(By.at(CONSUMER, T0), new)["id"])


def post(app: Redress, case_id: UUID, body: str) -> None:
    by = By.at(STORE, T0)
    app.act(case_id, by, lambda case, policy: case.post_message(policy, by, body))


def first_deadline(app: Redress, case_id: UUID) -> tuple[UUID, str]:
    deadline = min(app.get_case(case_id)["deadlines"], key=lambda d: d["due_at"])
    return case_id, deadline["id"]


@pytest.fixture
def app(database_url: str) -> Iterator[Redress]:
    app = open_app(database_url)
    register_store(app)
    yield app
    app.close()


def test_timeouts_saved_together_fire_once_like_one_by_one(app: Redress) -> None:
    together = [first_deadline(app, submit(app)) for _ in range(3)]
    alone = first_deadline(app, submit(app))
    assert app.record_timeouts(together, LATER) == [True, True, True]
    assert app.record_timeout(*alone, LATER)
    histories = [app.history(case_id) for case_id, _ in [*together, alone]]
    assert {tuple(e["type"] for e in h) for h in histories} == {("Submitted", "Reminded")}
    assert app.record_timeouts([*together, alone], LATER + timedelta(days=1)) == [False] * 4
    assert [app.history(case_id) for case_id, _ in [*together, alone]] == histories
    assert all(app.verify(case_id)["valid"] for case_id, _ in together)


class RivalWritesMeanwhile(Redress):
    """The real application, except that a rival process writes to the first case of a batch
    between our read of it and our save."""

    name = "redress"  # the library names a subclass's tables after it otherwise
    rival: Redress

    def _cases(self, case_ids: Sequence[UUID]) -> list[Case]:
        cases = super()._cases(case_ids)
        post(self.rival, case_ids[0], "meanwhile")
        return cases


def test_a_batch_with_a_case_changed_meanwhile_saves_nothing_and_raises(
    app: Redress, database_url: str
) -> None:
    timeouts = [first_deadline(app, submit(app)) for _ in range(3)]
    raced = open_app(database_url, RivalWritesMeanwhile)
    raced.rival = app
    try:
        with pytest.raises(IntegrityError):
            raced.record_timeouts(timeouts, LATER)
    finally:
        raced.close()
    assert [e["type"] for e in app.history(timeouts[0][0])] == ["Submitted", "MessagePosted"]
    assert [e["type"] for e in app.history(timeouts[1][0])] == ["Submitted"]
    assert app.record_timeouts(timeouts, LATER) == [True, True, True]  # read afresh: fine


@pytest.mark.parametrize("encrypted", [False, True], ids=["plain", "encrypted"])
def test_many_cases_read_at_once_equal_one_by_one_snapshots_included(
    postgres_database: str, encrypted: bool
) -> None:
    from eventsourcing.cryptography import AESCipher

    key = AESCipher.create_key(num_bytes=32) if encrypted else None
    app = open_app(postgres_database, encryption_key=key)
    env = Settings(database_url=postgres_database, encryption_key=key).eventsourcing_env()
    replay = Redress(env={**env, "IS_SNAPSHOTTING_ENABLED": "no"})  # every event, one by one
    try:
        register_store(app)
        long, short = submit(app), submit(app)
        for n in range(2 * SNAPSHOT_INTERVAL + 10):
            post(app, long, f"note {n}")
        assert len(list(app.snapshots.get(long))) == 2  # type: ignore[union-attr]
        unknown = UUID(int=1)
        assert bulk_get.supports(app)
        found = bulk_get.get_many(app, [long, unknown, short])
        assert sorted(found) == sorted([long, short])
        for case_id in (long, short):
            assert case_state(found[case_id]) == replay.get_case(case_id)
        assert found[long].version == 2 * SNAPSHOT_INTERVAL + 11
    finally:
        app.close()
        replay.close()
