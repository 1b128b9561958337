"""Wake the scheduler as soon as new events may have added a near deadline, instead of
waiting for the next interval tick.

- PostgreSQL: the eventsourcing recorder sends `NOTIFY <application>_events` with every
  insert, from any process; `PostgresWakeup` LISTENs on that channel.
- SQLite has no such signal between processes. `InProcessWakeup` is a bell in the process:
  the one-process `redress serve` has its API ring it after every save
  (`IN_PROCESS.watch(redress_app)`), so nothing polls there. In the roles process of
  `redress serve --workers N` the API writes from other processes: that process's entry point,
  the one place that knows it runs apart from the API, starts a `SqliteWakeup` (which sees any
  other connection's commit through `PRAGMA data_version`) ringing the same bell
  (services.scheduler.bootstrap.ring_on_commits). `wakeup_for` is thus the same in every
  process, and one watcher serves every role of that process. Separate `redress scheduler` or
  `redress projector` processes on SQLite still pick other processes' writes up at their
  interval.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
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


class _WatchingThread:
    """A daemon thread (`_run`) that calls `on_wake` whenever it sees new writes, and says
    when it is ready to see them."""

    thread_name = "wakeup"

    def __init__(self) -> None:
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, on_wake: OnWake) -> None:
        self._thread = threading.Thread(
            target=self._run, args=(on_wake,), name=self.thread_name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def wait_ready(self, timeout: float) -> bool:
        """True once writes from then on wake (PostgreSQL: LISTEN is in place; SQLite: the
        first version is read). Tests wait for it before writing."""
        return self._ready.wait(timeout)

    def _run(self, on_wake: OnWake) -> None:
        raise NotImplementedError


class PostgresWakeup(_WatchingThread):
    """A thread that LISTENs on the event table's channel and calls `on_wake` per NOTIFY."""

    thread_name = "scheduler-listen"

    def __init__(self, conninfo: str, channel: str, backoff: Backoff = Backoff()) -> None:
        super().__init__()
        self.conninfo, self.channel, self.backoff = conninfo, channel, backoff

    def _run(self, on_wake: OnWake) -> None:
        attempt = 0
        while not self._stopping.is_set():
            try:
                self._listen(on_wake)
                attempt = 0
            except psycopg.Error as error:  # the database went away: reconnect, later
                self._ready.clear()
                log.warning("LISTEN %s failed (%s); retrying", self.channel, error)
                self._stopping.wait(self.backoff.delay(attempt))
                attempt += 1

    def _listen(self, on_wake: OnWake) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as connection:
            connection.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
            self._ready.set()
            on_wake()  # anything written while we were not listening
            while not self._stopping.is_set():
                # Wake at most every 0.5 s to notice `stop`; one NOTIFY is enough to sweep.
                for _notify in connection.notifies(timeout=0.5, stop_after=1):
                    on_wake()


class SqliteWakeup(_WatchingThread):
    """A thread that calls `on_wake` when anything else has committed to an SQLite file.

    `PRAGMA data_version`, read twice on one connection, differs when another connection, in
    this process or any other, committed a change in between (this connection's own commits,
    of which it makes none, do not count): SQLite's documented way to see another process's
    commit, and a cheap one, reading no page of the database, only the WAL index's header.
    It is read every `every` seconds on a connection of the thread's own; several commits
    between two reads wake once, which is all a sweep or a projector's pass needs."""

    thread_name = "sqlite-commits"

    def __init__(self, path: Path, every: float = 0.02) -> None:
        super().__init__()
        self.path, self.every = path, every

    def _run(self, on_wake: OnWake) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            seen = self._version(connection)
            self._ready.set()
            while not self._stopping.wait(self.every):
                version = self._version(connection)
                if version is not None and version != seen:
                    seen = version
                    on_wake()
        finally:
            connection.close()

    def _version(self, connection: sqlite3.Connection) -> int | None:
        try:
            row = connection.execute("PRAGMA data_version").fetchone()
        except sqlite3.Error as error:  # busy past the timeout, or the file went away
            log.warning("PRAGMA data_version on %s failed (%s); trying again", self.path, error)
            return None
        return int(row[0])


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
