"""Commands on one case queue behind each other in this process.

Without it, concurrent commands on a case each read the same version, all but one lose the
race at commit, and re-read and retry, over and over: N writers cost O(N²) attempts and the
unlucky ones run out of retries. Queued, each command reads the version its predecessor wrote
and commits at the first attempt; only a race with another process is retried (services.
application). The wait is on the event loop, so a queue of writers holds no worker threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from uuid import UUID


class CaseLocks:
    def __init__(self) -> None:
        self._locks: dict[UUID, tuple[asyncio.Lock, int]] = {}  # case → (lock, its users)

    @asynccontextmanager
    async def holding(self, case_id: UUID) -> AsyncIterator[None]:
        lock, users = self._locks.get(case_id, (None, 0))
        lock = lock or asyncio.Lock()
        self._locks[case_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[case_id]
            if users == 1:
                del self._locks[case_id]  # no one waits: the table holds only busy cases
            else:
                self._locks[case_id] = (lock, users - 1)

    def __len__(self) -> int:
        return len(self._locks)
