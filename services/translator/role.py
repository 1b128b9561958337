"""The translator as a background role of `redress serve` (see
services/entrypoints/roles.py), and the body of `redress translator`.

One thread runs an event loop (the engine's HTTP client is asynchronous) with two kinds of
task, so that a text logged while a batch is in progress need not wait for it:

- the follower queues new texts as soon as events are logged (woken by LISTEN/NOTIFY on
  PostgreSQL, by the in-process bell on SQLite: the scheduler's wake-ups; at the latest
  every `translator_interval`), then tells the drainers;
- `REDRESS_TRANSLATOR_WORKERS` drainers claim and translate due texts, batch after batch;
  with none due, each waits for the follower, the next retry, or `translator_interval`.

With `REDRESS_TRANSLATOR=none` the role does nothing: originals are shown.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime

from services.db import sync_engine
from services.scheduler.bootstrap import open_application, wakeup_for
from services.scheduler.settings import SchedulerSettings
from services.settings import Settings
from services.translator import metrics
from services.translator.bootstrap import engine_for, translator
from services.translator.engines import TranslationEngine
from services.translator.settings import TranslatorSettings
from services.translator.worker import Translator

log = logging.getLogger(__name__)
GAUGE_EVERY = 1.0  # seconds: the backlog gauge is set at least this often while busy
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class TranslatorRole:
    name = "translator"

    def __init__(
        self,
        settings: Settings,
        clock: Clock = utc_now,
        engine: TranslationEngine | None = None,
    ) -> None:
        self.settings = TranslatorSettings.of(settings)
        self.clock = clock
        self.engine = engine or engine_for(self.settings)
        self._queued = asyncio.Condition()  # bound to the role's loop on first use
        self._queued_count = 0  # catch-ups so far: drainers wait for it to move
        self._gauged = 0.0  # when the backlog gauge was last set (monotonic)
        self._stack = ExitStack()
        self._stopping = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.translator: Translator | None = None

    def start(self) -> None:
        if self.engine is None:
            log.info("translator: REDRESS_TRANSLATOR=none; messages are shown as written")
            return
        shared = SchedulerSettings(**self.settings.model_dump())
        app = open_application(shared)
        self._stack.callback(app.close)
        db = sync_engine(self.settings, app.connection_pool)
        self._stack.callback(db.dispose)
        self.translator = translator(self.settings, app, db, self.engine)
        wakeup = wakeup_for(shared, app)
        wakeup.start(self._wake.set)
        self._stack.callback(wakeup.stop)
        self._thread = threading.Thread(target=self._run, name="translator", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 25.0) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._stack.close()

    def _run(self) -> None:
        asyncio.run(self._loop())

    async def _loop(self) -> None:
        assert self.translator is not None and self.engine is not None
        try:
            workers = self.translator.workers
            await asyncio.gather(self._follow(), *(self._drain() for _ in range(workers)))
        finally:
            await self.engine.aclose()

    async def _follow(self) -> None:
        """Queue new texts as soon as they are logged, then tell the drainers."""
        assert self.translator is not None
        failures = 0
        while not self._stopping.is_set():
            self._wake.clear()
            queued = self.translator.queued
            try:
                await asyncio.to_thread(self.translator.catch_up)
                if time.monotonic() - self._gauged > GAUGE_EVERY:  # busy drainers never idle
                    await asyncio.to_thread(self._look_at_queue)
                failures = 0
            except Exception:  # the database away?: log, pause, again
                failures += 1
                log.exception("translator: reading the log failed (%d in a row)", failures)
            if self.translator.queued != queued:
                await self._tell_drainers()
            pause = _after(failures) if failures else self.settings.translator_interval
            await asyncio.to_thread(self._wake.wait, pause)
        await self._tell_drainers()  # so they see the stop

    async def _tell_drainers(self) -> None:
        async with self._queued:
            self._queued_count += 1
            self._queued.notify_all()

    async def _drain(self) -> None:
        """Claim and translate due texts; when none is due, wait for the follower to queue
        some, for the next retry to fall due, or `translator_interval`."""
        assert self.translator is not None
        failures = 0
        while not self._stopping.is_set():
            seen = self._queued_count  # before claiming: a text queued meanwhile is not missed
            try:
                if await self.translator.drain_once(self.clock):
                    failures = 0
                    continue
                pause = await asyncio.to_thread(self._look_at_queue)
                failures = 0
            except Exception:  # a batch failed (the database away?): its texts come back
                failures += 1
                log.exception("translator: a batch failed (%d in a row)", failures)
                pause = _after(failures)
            await self._wait_for_queued(seen, pause)

    async def _wait_for_queued(self, seen: int, pause: float) -> None:
        """Until the follower has caught up since `seen`, at most `pause` seconds."""

        def moved() -> bool:
            return self._queued_count != seen or self._stopping.is_set()

        async with self._queued:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(pause):
                    await self._queued.wait_for(moved)

    def _look_at_queue(self) -> float:
        """Sets the backlog gauge; returns the pause until the next retry is due, at most
        the interval."""
        assert self.translator is not None
        backlog, due = self.translator.queue.outlook()
        metrics.backlog.set(backlog)
        self._gauged = time.monotonic()
        pause = self.settings.translator_interval
        if due is not None:
            pause = min(pause, max(0.0, (due - self.clock()).total_seconds()))
        return pause


def _after(failures: int) -> float:
    """The pause after failures in a row: from 1 s, doubling, at most 30 s."""
    return float(min(30.0, 0.5 * 2.0**failures))
