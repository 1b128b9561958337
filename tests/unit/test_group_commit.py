"""The group-commit writer: batching, result routing and isolation of a stale save.

Each test holds the writer inside its first save, and waits until the later saves are queued
behind it (the events themselves, not a head start for threads), so the batch it forms next is
exactly the saves the test made."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from eventsourcing.persistence import IntegrityError

from services.eventstore.group_commit import GroupCommit

WAIT = 60.0  # seconds; only a broken writer takes this long


class Store:
    """Saves events (strings); "stale" makes the whole transaction fail, as PostgreSQL does.
    The first save is held (the writer inside it) until `release`."""

    def __init__(self) -> None:
        self.transactions: list[list[str]] = []
        self.entered, self.released = threading.Event(), threading.Event()

    def save(self, *events: str) -> list[str]:
        self.entered.set()
        assert self.released.wait(WAIT), "never released"
        if "stale" in events:
            raise IntegrityError("stale aggregate")
        self.transactions.append(list(events))
        return [f"rec:{e}" for e in events]


def _queued(writer: GroupCommit, count: int) -> None:
    """Until `count` saves wait in the writer's queue (behind the one it holds)."""
    deadline = time.monotonic() + WAIT
    while writer._queue.qsize() < count:
        assert time.monotonic() < deadline, f"{writer._queue.qsize()} of {count} saves queued"
        time.sleep(0.001)


def _in_order(
    pool: ThreadPoolExecutor, writer: GroupCommit, saves: list[list[str]]
) -> list[Future[list[str]]]:
    """Each save submitted once the previous one is queued: the queue holds them in order."""
    held = writer._queue.qsize()
    futures = []
    for n, events in enumerate(saves, 1):
        futures.append(pool.submit(writer.save, events))
        _queued(writer, held + n)
    return futures


def _holding(store: Store, writer: GroupCommit, pool: ThreadPoolExecutor) -> Future[list[str]]:
    first = pool.submit(writer.save, ["first"])
    assert store.entered.wait(WAIT), "the writer never began the first save"
    return first


def test_waiting_saves_share_one_transaction_and_get_their_own_recordings() -> None:
    store = Store()
    writer = GroupCommit(store.save)
    with ThreadPoolExecutor(8) as pool:
        first = _holding(store, writer, pool)
        later = _in_order(pool, writer, [[f"b{n}", f"c{n}"] for n in range(5)])
        store.released.set()
        assert first.result() == ["rec:first"]
        assert [f.result() for f in later] == [[f"rec:b{n}", f"rec:c{n}"] for n in range(5)]
    writer.close()
    assert store.transactions == [["first"], [e for n in range(5) for e in (f"b{n}", f"c{n}")]]


def test_a_stale_save_fails_alone_and_the_rest_of_its_batch_commits() -> None:
    store = Store()
    writer = GroupCommit(store.save)
    with ThreadPoolExecutor(8) as pool:
        first = _holding(store, writer, pool)
        good = _in_order(pool, writer, [["ok0"], ["ok1"], ["stale"], ["ok2"]])
        bad = good.pop(2)
        store.released.set()
        first.result()
        assert [f.result() for f in good] == [["rec:ok0"], ["rec:ok1"], ["rec:ok2"]]
        with pytest.raises(IntegrityError):
            bad.result()
    writer.close()
    # The batch failed whole, then each save was tried alone.
    assert store.transactions == [["first"], ["ok0"], ["ok1"], ["ok2"]]
