"""The scheduler as a background role of `redress serve` (see
services/entrypoints/roles.py), and the body of `redress scheduler`."""

from __future__ import annotations

from contextlib import ExitStack

from services.scheduler import bootstrap
from services.scheduler.runner import Clock, SchedulerRunner, utc_now
from services.scheduler.settings import SchedulerSettings
from services.settings import Settings


class SchedulerRole:
    name = "scheduler"

    def __init__(self, settings: Settings, clock: Clock = utc_now) -> None:
        self.settings = SchedulerSettings(**settings.model_dump())
        self.clock = clock
        self._stack = ExitStack()
        self._runner: SchedulerRunner | None = None

    def start(self) -> None:
        sweeper = self._stack.enter_context(bootstrap.sweeper(self.settings))
        wakeup = bootstrap.wakeup_for(self.settings, sweeper.app)
        self._runner = SchedulerRunner(
            sweeper, self.clock, self.settings.scheduler_interval, wakeup
        )
        self._runner.start()

    def stop(self, timeout: float = 25.0) -> None:
        """Let the sweep in progress finish (its claims commit), then close the connections."""
        if self._runner is not None:
            self._runner.stop()
        self._stack.close()
