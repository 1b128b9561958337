"""APScheduler drives the sweep: one interval job (every `interval` seconds), brought forward
to the next due instant when that comes sooner, and run at once when a wake-up arrives; a
second job counts pending deadlines for the gauge now and then.

APScheduler holds only this one job in memory; the deadlines themselves live in the index
(one job per deadline would not survive a restart nor scale). The clock is injected: this
loop is the only place that reads it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler

from services.scheduler import index
from services.scheduler.sweeper import Sweeper
from services.scheduler.wakeup import Wakeup

log = logging.getLogger(__name__)
JOB_ID = "sweep"
PENDING_EVERY = 15.0  # seconds between counts of the index for the pending gauge
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


class SchedulerRunner:
    def __init__(
        self,
        sweeper: Sweeper,
        clock: Clock = utc_now,
        interval: float = 1.0,
        wakeup: Wakeup | None = None,
    ) -> None:
        self.sweeper, self.clock, self.interval, self.wakeup = sweeper, clock, interval, wakeup
        self.sweeps = 0
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._sweeping = threading.Lock()  # one sweep at a time in this process
        self._state = threading.Lock()
        self._running = self._again = False

    def start(self) -> None:
        # Two instances at most: one sweeping, one queued behind `_sweeping` by a wake-up that
        # lands just as the first finishes; anything more would only repeat the same sweep.
        self._scheduler.add_job(
            self._job,
            "interval",
            seconds=self.interval,
            id=JOB_ID,
            max_instances=2,
            coalesce=True,
            next_run_time=utc_now(),
        )
        self._scheduler.add_job(
            self.sweeper.refresh_pending,
            "interval",
            seconds=PENDING_EVERY,
            id="pending",
            coalesce=True,
            next_run_time=utc_now(),
        )
        self._scheduler.start()
        if self.wakeup is not None:
            self.wakeup.start(self.wake)

    def stop(self) -> None:
        if self.wakeup is not None:
            self.wakeup.stop()
        self._scheduler.shutdown(wait=True)

    def wake(self) -> None:
        """New events may have added a near deadline: sweep now (or again, if sweeping)."""
        with self._state:
            if self._running:
                self._again = True
                return
        self._run_in(0.0)

    def _job(self) -> None:
        with self._sweeping:
            with self._state:
                self._running = True
            try:
                while True:
                    with self._state:
                        self._again = False
                    now = self.clock()
                    self.sweeper.run_due(now)
                    self.sweeps += 1
                    with self._state:
                        if not self._again:
                            break
            finally:
                with self._state:
                    self._running = False
            self._bring_forward(now)

    def _bring_forward(self, now: datetime) -> None:
        """Run again at the next due instant if it comes before the next tick."""
        due = index.next_due(self.sweeper.engine)
        if due is not None and now < due < now + timedelta(seconds=self.interval):
            self._run_in((due - now).total_seconds())

    def _run_in(self, seconds: float) -> None:
        if self._scheduler.running:
            run_at = utc_now() + timedelta(seconds=seconds)
            self._scheduler.modify_job(JOB_ID, next_run_time=run_at)
