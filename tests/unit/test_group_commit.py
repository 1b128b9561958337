"""The group-commit writer: batching, result routing and isolation of a stale save."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from eventsourcing.persistence import IntegrityError

from services.group_commit import GroupCommit


class Store:
    """Saves events (strings); "stale" makes the whole transaction fail, as PostgreSQL does."""

    def __init__(self) -> None:
        self.transactions: list[list[str]] = []
        self.gate = threading.Event()

    def save(self, *events: str) -> list[str]:
        self.gate.wait(5)
        if "stale" in events:
            raise IntegrityError("stale aggregate")
        self.transactions.append(list(events))
        return [f"rec:{e}" for e in events]


def test_waiting_saves_share_one_transaction_and_get_their_own_recordings() -> None:
    store = Store()
    writer = GroupCommit(store.save)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(writer.save, ["a"])
        later = [pool.submit(writer.save, [f"b{n}", f"c{n}"]) for n in range(5)]
        store.gate.set()
        assert first.result() == ["rec:a"]
        assert [f.result() for f in later] == [[f"rec:b{n}", f"rec:c{n}"] for n in range(5)]
    writer.close()
    assert sum(len(t) for t in store.transactions) == 11
    assert len(store.transactions) < 6  # the five later saves were batched


def test_a_stale_save_fails_alone_and_the_rest_of_its_batch_commits() -> None:
    store = Store()
    writer = GroupCommit(store.save)
    with ThreadPoolExecutor(8) as pool:
        blocker = pool.submit(writer.save, ["first"])
        good = [pool.submit(writer.save, [f"ok{n}"]) for n in range(3)]
        bad = pool.submit(writer.save, ["stale"])
        store.gate.set()
        blocker.result()
        assert [f.result() for f in good] == [[f"rec:ok{n}"] for n in range(3)]
        with pytest.raises(IntegrityError):
            bad.result()
    writer.close()
