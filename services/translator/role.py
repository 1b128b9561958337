"""The translator as a background role of `redress serve` (see services/roles.py), and the
body of `redress translator`.

One thread runs an event loop (the engine's HTTP client is asynchronous): a round, then a
pause until new events are logged (LISTEN/NOTIFY on PostgreSQL, the in-process bell on
SQLite: the scheduler's wake-ups), the next retry falls due, or `translator_interval` passes.
With `REDRESS_TRANSLATOR=none` the role does nothing: originals are shown.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from contextlib import ExitStack
from datetime import UTC, datetime

from services.db import sync_engine
from services.scheduler.bootstrap import open_application, wakeup_for
from services.scheduler.settings import SchedulerSettings
from services.settings import Settings
from services.translator.bootstrap import engine_for, translator
from services.translator.engines import TranslationEngine
from services.translator.settings import TranslatorSettings
from services.translator.worker import Translator

log = logging.getLogger(__name__)
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
        self.rounds = 0
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
        failures = 0
        try:
            while not self._stopping.is_set():
                self._wake.clear()
                try:
                    await self.translator.run_due(self.clock)
                    failures = 0
                except Exception:  # a round failed (the database away?): log, pause, again
                    failures += 1
                    log.exception("translator: round failed (%d in a row)", failures)
                self.rounds += 1
                await asyncio.to_thread(self._wake.wait, self._pause(failures))
        finally:
            await self.engine.aclose()

    def _pause(self, failures: int) -> float:
        """Until the next retry is due, at most the interval (longer after failures)."""
        assert self.translator is not None
        if failures:
            return float(min(30.0, 0.5 * 2.0**failures))
        pause = self.settings.translator_interval
        try:
            due = self.translator.queue.next_due()
        except Exception:
            log.exception("translator: could not read the next retry time")
            return pause
        if due is not None:
            pause = min(pause, max(0.0, (due - self.clock()).total_seconds()))
        return pause
