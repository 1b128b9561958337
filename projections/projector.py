"""The projector: follows the log for a set of projections until stopped.

It applies everything there is (one transaction per batch), then waits for `wake()` (on
PostgreSQL a LISTEN on the log's channel calls it when events are committed:
services.projector.role) or for `interval` seconds, whichever is first. The interval is the
fallback that works the same on SQLite and PostgreSQL: one indexed query per tick.
A failed batch rolls back whole; it is logged and tried again after a growing pause, so a
database that goes away for a while is waited for, not given up on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.application import Application
from sqlalchemy import Engine

from projections.tracking import BATCH, Projection, behind, step, transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Backoff:
    """Pause after the n-th consecutive failure: `first * factor ** n` seconds, at most `cap`."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        return float(min(self.cap, self.first * self.factor ** max(0, failures - 1)))


class Projector:
    def __init__(
        self,
        engine: Engine,
        app: Application[Any],
        projections: Sequence[Projection],
        *,
        batch: int = BATCH,
        interval: float = 0.1,
        backoff: Backoff = Backoff(),
        on_applied: Callable[[int], None] | None = None,
    ) -> None:
        self.engine, self.app, self.projections = engine, app, list(projections)
        self.batch, self.interval, self.backoff = batch, interval, backoff
        self.on_applied = on_applied
        self.applied = 0  # notifications applied by this process
        self._stopping = threading.Event()
        self._woken = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self) -> None:
        """Events were logged: apply them now rather than at the next tick."""
        self._woken.set()

    def run_once(self) -> int:
        """Apply everything logged so far, one transaction per batch, stopping early when
        asked to; returns how many notifications were read."""
        total = 0
        if not behind(self.engine, self.app, self.projections):
            return total
        while not self._stopping.is_set():
            with transaction(self.engine) as connection:
                read = step(connection, self.app, self.projections, self.batch)
            total += read
            self.applied += read
            if read and self.on_applied is not None:
                self.on_applied(read)
            if read < self.batch:
                break
        return total

    def run(self) -> None:
        """Follow the log until `stop()`."""
        failures = 0
        while not self._stopping.is_set():
            # Cleared before reading: a wake while we apply makes the next wait return at once.
            self._woken.clear()
            try:
                self.run_once()
            except Exception:  # a batch rolled back whole: log it, pause, try again
                failures += 1
                log.exception("projector: batch failed (%d in a row); retrying", failures)
                self._stopping.wait(self.backoff.delay(failures))
                continue
            failures = 0
            self._woken.wait(self.interval)

    def start(self) -> None:
        self._thread = threading.Thread(target=self.run, name="projector", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 25.0) -> None:
        self._stopping.set()
        self._woken.set()
        if self._thread is not None:
            self._thread.join(timeout)
