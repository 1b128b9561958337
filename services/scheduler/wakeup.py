"""Wake the scheduler as soon as new events may have added a near deadline, instead of
waiting for the next interval tick.

- PostgreSQL: the eventsourcing recorder sends `NOTIFY <application>_events` with every
  insert, from any process; `PostgresWakeup` LISTENs on that channel.
- SQLite has no such signal between processes: `InProcessWakeup` lets a writer in the same
  process (`redress serve`) ring the bell, e.g. `IN_PROCESS.watch(redress_app)`. Writes from
  other processes are picked up by the interval sweep.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import psycopg
from psycopg import sql

from services.eventstore.application import EventStoreApplication

log = logging.getLogger(__name__)
OnWake = Callable[[], None]


class Wakeup(Protocol):
    def start(self, on_wake: OnWake) -> None: ...

    def stop(self) -> None: ...


@dataclass(frozen=True)
class Backoff:
    """Reconnection delays: `first * factor ** attempt` seconds, at most `cap`."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.first * self.factor**attempt)


class PostgresWakeup:
    """A thread that LISTENs on the event table's channel and calls `on_wake` per NOTIFY."""

    def __init__(self, conninfo: str, channel: str, backoff: Backoff = Backoff()) -> None:
        self.conninfo, self.channel, self.backoff = conninfo, channel, backoff
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_wake: OnWake) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(on_wake,), name="scheduler-listen", daemon=True
        )
        self._thread.start()

    def wait_listening(self, timeout: float) -> bool:
        """True once LISTEN is in place (tests wait for it before writing)."""
        return self._listening.wait(timeout)

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self, on_wake: OnWake) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                self._listen(on_wake)
                attempt = 0
            except psycopg.Error as error:  # the database went away: reconnect, later
                self._listening.clear()
                log.warning("LISTEN %s failed (%s); retrying", self.channel, error)
                self._stopping.wait(self.backoff.delay(attempt))
                attempt += 1

    def _listen(self, on_wake: OnWake) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._listening.set()
            on_wake()  # anything written while we were not listening
            while not self._stopping.is_set():
                # Wake at most every 0.5 s to notice `stop`; one NOTIFY is enough to sweep.
                for _notify in connection.notifies(timeout=0.5, stop_after=1):
                    on_wake()


class InProcessWakeup:
    """A bell that writers in this process ring after saving events."""

    def __init__(self) -> None:
        self._listeners: list[OnWake] = []
        self._lock = threading.Lock()

    def start(self, on_wake: OnWake) -> None:
        with self._lock:
            self._listeners.append(on_wake)

    def stop(self) -> None:
        with self._lock:
            self._listeners.clear()

    def ring(self) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for on_wake in listeners:
            on_wake()

    def watch(self, app: EventStoreApplication) -> None:
        """Ring after every save of `app`."""
        app.on_saved(self.ring)


IN_PROCESS = InProcessWakeup()
