"""Record the outcomes of batches together: one recording at a time (batches touching one case
must not race each other), and whatever batches finish while one is in flight are recorded
together in the next, with one read and one commit for all.

Recording one batch at a time made small batches queue behind each other's commits: at 200
texts/s, forty batches of five a second waited on forty commits in a row.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
Items = list[tuple[K, V]]


Done = tuple[Items[K, V], datetime]  # what was recorded, and when


class RecordTogether(Generic[K, V]):
    def __init__(self, record: Callable[[Items[K, V], datetime], Items[K, V]]) -> None:
        """`record(items, at)` records in one go and returns the items it recorded."""
        self._record = record
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()
        self._waiting: list[tuple[Items[K, V], asyncio.Future[Done[K, V]]]] = []

    async def record(self, items: Items[K, V], now: Callable[[], datetime]) -> Done[K, V]:
        """These items recorded (those already recorded by anyone left out), with the time
        they were recorded at; keys are unique among batches in flight."""
        if not items:
            return [], now()
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a lock serves one event loop (tests run several)
            self._loop, self._lock, self._waiting = loop, asyncio.Lock(), []
        mine: asyncio.Future[Done[K, V]] = loop.create_future()
        self._waiting.append((items, mine))
        async with self._lock:
            if not mine.done():  # no recording took it in while this one waited: lead one
                await self._record_waiting(mine, now)
        return mine.result()

    async def _record_waiting(
        self, mine: asyncio.Future[Done[K, V]], now: Callable[[], datetime]
    ) -> None:
        batch, self._waiting = self._waiting, []
        at = now()
        try:
            recorded = await asyncio.to_thread(self._record, [i for b, _f in batch for i in b], at)
        except BaseException as failed:
            error = failed if isinstance(failed, Exception) else RuntimeError("recording stopped")
            for _items, future in batch:
                if future is not mine:  # the leader raises it itself
                    future.set_exception(error)
            raise
        done = {key for key, _value in recorded}
        for items, future in batch:
            future.set_result(([(key, value) for key, value in items if key in done], at))
