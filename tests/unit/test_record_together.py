"""Batches that finish while one records are recorded together next, each told its own."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

import pytest

from services.translator.together import RecordTogether

AT = datetime(2026, 12, 6, 9, tzinfo=UTC)


class Store:
    def __init__(self) -> None:
        self.calls: list[list[tuple[str, int]]] = []
        self.recorded: set[str] = set()
        self.first = threading.Event()  # the first recording is in flight
        self.release = threading.Event()

    def record(self, items: list[tuple[str, int]], at: datetime) -> list[tuple[str, int]]:
        self.calls.append(items)
        self.first.set()
        self.release.wait(5)
        fresh = [(k, v) for k, v in items if k not in self.recorded]
        self.recorded.update(k for k, _v in fresh)
        return fresh


async def test_batches_waiting_behind_a_recording_are_recorded_in_one_go() -> None:
    store = Store()
    together: RecordTogether[str, int] = RecordTogether(store.record)
    first = asyncio.create_task(together.record([("a", 1)], lambda: AT))
    await asyncio.to_thread(store.first.wait, 5)
    others = [
        asyncio.create_task(together.record([("b", 2), ("a", 1)], lambda: AT)),
        asyncio.create_task(together.record([("c", 3)], lambda: AT)),
    ]
    await asyncio.sleep(0.05)  # both wait behind the first
    store.release.set()
    assert await first == ([("a", 1)], AT)
    assert [await o for o in others] == [([("b", 2)], AT), ([("c", 3)], AT)]
    assert store.calls == [[("a", 1)], [("b", 2), ("a", 1), ("c", 3)]]


async def test_a_failed_recording_fails_every_batch_in_it() -> None:
    calls = []

    def broken(items: list[tuple[str, int]], at: datetime) -> list[tuple[str, int]]:
        calls.append(items)
        raise ConnectionError("database away")

    together: RecordTogether[str, int] = RecordTogether(broken)
    results = await asyncio.gather(
        together.record([("a", 1)], lambda: AT),
        together.record([("b", 2)], lambda: AT),
        return_exceptions=True,
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    assert sorted(i for c in calls for i in c) == [("a", 1), ("b", 2)]


def test_nothing_to_record_records_nothing() -> None:
    together: RecordTogether[str, int] = RecordTogether(lambda items, at: pytest.fail("called"))
    assert asyncio.run(together.record([], lambda: AT)) == ([], AT)
