"""Group commit: concurrent saves share transactions; a stale save fails alone.

To make a batch for certain, a test holds the writer thread right after one of its commits
(`HeldWriter`) and queues its saves behind it, one by one, watching the queue; released, the
writer takes them all at once. On PostgreSQL the transactions are then seen in the table:
rows committed together carry one `xmin`, and a batch that failed leaves its mark in the
notification ids (a sequence is never rolled back)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError

from domain.actors import Actor, By
from domain.filing import Order
from domain.sealing import SEALER, subject_of
from services.application import NewCase, Redress
from services.db import migrate
from services.settings import Settings

NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
BY = By.at(Actor("consumer", "c1"), NOW)
WAIT = 60.0  # seconds; only a broken writer takes this long


class HeldWriter(Redress):
    """The application, whose writer can be held once, right after its next commit: the
    library's `_notify` runs in the writer thread, after the commit and before the next batch."""

    def __init__(self, **kwargs: Any) -> None:
        self.hold_next, self.holding, self.released = (threading.Event() for _ in range(3))
        super().__init__(**kwargs)

    def _notify(self, recordings: Any) -> None:
        super()._notify(recordings)
        if self.hold_next.is_set():
            self.hold_next.clear()
            self.holding.set()
            assert self.released.wait(WAIT), "the writer was never released"

    def queued(self) -> int:
        return self._group_commit._queue.qsize()


@pytest.fixture
def app(database_url: str) -> Iterator[HeldWriter]:
    settings = Settings(database_url=database_url)
    migrate(settings)
    redress = HeldWriter(env=settings.eventsourcing_env())
    redress.register_store(
        By.at(Actor("admin", "a"), NOW),
        store_id="s1",
        platform="bigben",
        name="S",
        certified=True,
        country="FR",
        timezone="Europe/Paris",
    )
    yield redress
    redress.close()


def _new(n: int) -> NewCase:
    return NewCase(
        "bigben", "s1", f"c{n}", "complaint", Order(f"o{n}", Decimal("10"), "EUR"), "broken"
    )


def test_concurrent_submissions_are_all_committed(app: Redress) -> None:
    with ThreadPoolExecutor(16) as pool:
        states = list(
            pool.map(
                lambda n: app.submit_case(By.at(Actor("consumer", f"c{n}"), NOW), _new(n)),
                range(200),
            )
        )
    assert len({s["id"] for s in states}) == 200
    for state in states[::20]:
        assert app.get_case(UUID(state["id"]))["consumer_id"] == state["consumer_id"]
    assert app.recorder.max_notification_id() == 201  # the store plus 200 cases


def _batched(app: HeldWriter, held: Callable[[], Any], saves: list[Callable[[], Any]]) -> list[Any]:
    """Run `held` (a save), hold the writer after its commit, queue `saves` behind it in this
    order, then release it; each save's result (or exception), in order."""
    with ThreadPoolExecutor(len(saves) + 1) as pool:
        app.hold_next.set()
        first = pool.submit(held)
        assert app.holding.wait(WAIT), "the writer never committed the first save"
        futures: list[Future[Any]] = []
        for save in saves:
            futures.append(pool.submit(save))
            deadline = time.monotonic() + WAIT
            while app.queued() < len(futures):
                assert time.monotonic() < deadline, f"{app.queued()} of {len(futures)} queued"
                time.sleep(0.001)
        app.released.set()
        first.result()
        return [f.exception() or f.result() for f in futures]


def test_saves_queued_behind_a_commit_share_the_next_transaction(
    app: HeldWriter, database_url: str
) -> None:
    states = _batched(
        app, lambda: _submit(app, 0), [lambda n=n: _submit(app, n) for n in (1, 2, 3)]
    )
    assert [s["version"] for s in states] == [1, 1, 1]
    if database_url.startswith("postgresql"):
        transactions = _transactions(app, database_url)
        assert len({transactions[UUID(s["id"])] for s in states}) == 1, transactions
        # The cases' subject keys, one row each, in that same transaction.
        with psycopg.connect(database_url) as db:
            keys = db.execute("SELECT case_id, xmin::text FROM subject_keys").fetchall()
        assert {case: xmin for case, xmin in keys if case in {s["id"] for s in states}} == {
            s["id"]: transactions[UUID(s["id"])] for s in states
        }


def test_a_commit_stores_every_key_row_it_carries_once(app: Redress) -> None:
    """Many key rows in one statement, and one of them twice (two commands of a case in one
    batch both carry the key they sealed under): each is stored, once."""
    case_id = UUID(_submit(app, 1)["id"])
    subject, rows, tokens = subject_of("bigben", "c1"), [], []
    for _ in range(37):
        with app.keyring.sealing(subject, str(uuid4())) as sealed_under:
            seal = SEALER.get()
            assert seal is not None
            tokens.append(seal("kept").token)
        rows.extend(sealed_under)
    case = app._case(case_id)
    case.post_message(app.policies["bigben"], BY, "more")
    app.save(case, keys=[*rows, rows[0]])
    stored = app.keyring.keys_by_case(subject)
    assert sorted(k for ks in stored.values() for k in ks) == sorted(
        [*(row[0] for row in rows), *stored[str(case_id)]]
    )
    fresh = Redress(env=app.env)  # nothing cached: every key read from the table
    try:
        assert {fresh.keyring.unseal(token) for token in tokens} == {"kept"}
    finally:
        fresh.close()


def test_a_stale_save_in_a_batch_fails_alone(app: HeldWriter, database_url: str) -> None:
    case_id = UUID(_submit(app, 1)["id"])
    first, second = app._case(case_id), app._case(case_id)  # two readers of version 1
    first.post_message(app.policies["bigben"], BY, "one")
    second.post_message(app.policies["bigben"], BY, "two")
    fresh2, fresh3, stale = _batched(
        app,
        lambda: app.save(first),
        [lambda: _submit(app, 2), lambda: _submit(app, 3), lambda: app.save(second)],
    )
    assert isinstance(stale, IntegrityError), stale
    assert app.get_case(case_id)["version"] == 2
    assert [m["body"] for m in app.get_case(case_id)["messages"]] == ["one"]
    assert (fresh2["version"], fresh3["version"]) == (1, 1)
    if database_url.startswith("postgresql"):
        # The three saves were tried as one transaction: its INSERT took a notification id for
        # each of their events before the stale one's failed it; the two others were then
        # committed alone, after that gap. (A loaded run once saw a gap of 6: the batch was
        # tried twice, each try taking three ids. Saved one by one, there is no gap at all.)
        ids = _notification_ids(app, database_url)
        gap = ids[(UUID(fresh2["id"]), 1)] - ids[(case_id, 2)] - 1
        assert gap >= 3 and gap % 3 == 0, gap
        assert ids[(UUID(fresh3["id"]), 1)] > ids[(UUID(fresh2["id"]), 1)]
        transactions = _transactions(app, database_url)
        assert transactions[UUID(fresh2["id"])] != transactions[UUID(fresh3["id"])]


def _submit(app: Redress, n: int) -> dict[str, Any]:
    return app.submit_case(By.at(Actor("consumer", f"c{n}"), NOW), _new(n))


def _notification_ids(app: Redress, database_url: str) -> dict[tuple[UUID, int], int]:
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            "SELECT originator_id, originator_version, notification_id FROM "
            + app.recorder.events_table_name
        ).fetchall()
    return {(originator, version): at for originator, version, at in rows}


def _transactions(app: Redress, database_url: str) -> dict[UUID, str]:
    """The transaction (xmin) that wrote each aggregate's first event."""
    table = app.recorder.events_table_name
    with psycopg.connect(database_url) as db:
        rows = db.execute(
            f"SELECT originator_id, xmin::text FROM {table} WHERE originator_version = 1"
        ).fetchall()
    return dict(rows)
