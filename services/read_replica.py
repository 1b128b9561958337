"""Reads that a streaming replica may serve: case lists, /v1/stats/*, the dashboard, the event
feed and webhook delivery logs. Reads of one case and every command stay on the primary, so a
client always reads its own writes there.

The replica serves while it answers and its replay lag is within `max_lag`; otherwise the
primary does. Lag is `now() - pg_last_xact_replay_timestamp()`, or 0 when the replica has
replayed all the WAL it received (an idle primary sends none, and the last replayed commit
then grows old without the replica being behind). The lag is looked up at most once per
`recheck` seconds per process, on a thread of its own. A read that fails on the replica (it
stopped, or replay cancelled the query) is run again on the primary and the replica is left
out until the next look-up, so a client never sees the replica go.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from prometheus_client import Counter, Gauge
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.db import REPLICA_CONNECT_TIMEOUT, postgres_async_engine, postgres_engine
from services.settings import Settings

log = logging.getLogger(__name__)
T = TypeVar("T")

REPLAY_LAG = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0"
    " ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"
)
LAG = Gauge(
    "redress_read_replica_lag_seconds",
    "The read replica's replay lag when last looked up (-1: it did not answer)",
)
SERVING = Gauge(
    "redress_read_replica_serving",
    "1 while the read replica serves the replica-tolerant reads, 0 while the primary does",
)
FALLBACKS = Counter(
    "redress_read_replica_fallbacks",
    "Replica-tolerant reads served by the primary instead, by reason",
    ["reason"],
)


@dataclass(frozen=True)
class ReplicaState:
    """Who serves the replica-tolerant reads now, and why the primary if it does."""

    serving: str  # "replica" or "primary"
    lag_seconds: float | None  # None: not measured (no replica, or it did not answer)
    reason: str | None = None  # "lag", "unreachable" or "unmeasured" while the primary serves

    def view(self, max_lag: float) -> dict[str, object]:
        return {
            "served_by": self.serving,
            "replica_lag_seconds": self.lag_seconds,
            "max_lag_seconds": max_lag,
            "fallback_reason": self.reason,
        }


def judge(lag: float | None, max_lag: float) -> ReplicaState:
    """The replica serves if its lag is known and within `max_lag`."""
    if lag is None:
        return ReplicaState("primary", None, "lag")  # nothing replayed yet
    if lag > max_lag:
        return ReplicaState("primary", lag, "lag")
    return ReplicaState("replica", lag)


PRIMARY_ONLY = ReplicaState("primary", None)


class ReadReplica:
    """Routes replica-tolerant reads: `run` (sync, on an Engine) and `run_async`."""

    def __init__(
        self,
        primary: Engine,
        primary_async: AsyncEngine,
        replica: Engine | None = None,
        replica_async: AsyncEngine | None = None,
        *,
        max_lag: float = 5.0,
        recheck: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary, self.primary_async = primary, primary_async
        self.replica, self.replica_async = replica, replica_async
        self.max_lag, self.recheck, self.clock = max_lag, recheck, clock
        # Until the first look-up answers, the primary serves.
        self._state = (
            PRIMARY_ONLY if replica is None else ReplicaState("primary", None, "unmeasured")
        )
        self._checked_at: float | None = None
        self._looking = threading.Lock()  # held by the one look-up under way
        SERVING.set(0)

    @property
    def configured(self) -> bool:
        return self.replica is not None

    def state(self) -> ReplicaState:
        """The current judgement. Once it is `recheck` seconds old, a look-up starts on a thread
        of its own: no read, probe or scrape waits on a replica that is slow to answer."""
        if self.replica is not None and self._stale() and self._looking.acquire(blocking=False):
            threading.Thread(target=self._refresh, name="replica-lag", daemon=True).start()
        return self._state

    def check(self) -> ReplicaState:
        """Look the lag up now, and judge (what the background look-up does)."""
        if self.replica is not None:
            self._remember(self._look_up(self.replica))
        return self._state

    def run(self, read: Callable[[Engine], T]) -> T:
        """`read` on the replica if it serves, else (or if it fails there) on the primary."""
        state = self.state()
        if state.serving != "replica" or self.replica is None:
            self._count_fallback(state)
            return read(self.primary)
        try:
            return read(self.replica)
        except DBAPIError as failed:
            self._lost(failed)
        return read(self.primary)

    async def run_async(self, read: Callable[[AsyncEngine], Awaitable[T]]) -> T:
        state = self.state()
        if state.serving != "replica" or self.replica_async is None:
            self._count_fallback(state)
            return await read(self.primary_async)
        try:
            return await read(self.replica_async)
        except DBAPIError as failed:
            self._lost(failed)
        return await read(self.primary_async)

    def close(self) -> None:
        if self.replica is not None:
            self.replica.dispose()

    async def aclose(self) -> None:
        if self.replica_async is not None:
            await self.replica_async.dispose()

    # -- the look-up ---------------------------------------------------------------------------

    def _refresh(self) -> None:
        try:
            self.check()
        finally:
            self._looking.release()

    def _stale(self) -> bool:
        return self._checked_at is None or self.clock() - self._checked_at >= self.recheck

    def _look_up(self, replica: Engine) -> ReplicaState:
        try:
            with replica.connect() as connection:
                lag = connection.execute(REPLAY_LAG).scalar()
        except DBAPIError as failed:
            log.warning("read replica unreachable (%s); reads go to the primary", failed.orig)
            return ReplicaState("primary", None, "unreachable")
        state = judge(None if lag is None else float(lag), self.max_lag)
        if state.serving != self._state.serving or state.reason != self._state.reason:
            log.info("replica-tolerant reads now served by the %s (lag %s s)", state.serving, lag)
        return state

    def _remember(self, state: ReplicaState) -> None:
        self._state, self._checked_at = state, self.clock()
        LAG.set(-1 if state.lag_seconds is None else state.lag_seconds)
        SERVING.set(1 if state.serving == "replica" else 0)

    def _lost(self, failed: DBAPIError) -> None:
        log.warning("a read failed on the replica (%s); reading from the primary", failed.orig)
        self._remember(ReplicaState("primary", None, "unreachable"))
        FALLBACKS.labels("unreachable").inc()

    def _count_fallback(self, state: ReplicaState) -> None:
        if state.reason is not None:
            FALLBACKS.labels(state.reason).inc()


def read_replica(settings: Settings, primary: Engine, primary_async: AsyncEngine) -> ReadReplica:
    """The process's router: to REDRESS_READ_DATABASE_URL if set (PostgreSQL), else the primary.
    The replica's engines prepare no statement, so the URL may be a PgBouncer's too."""
    url = settings.read_database_url
    if url is None or settings.is_sqlite:
        return ReadReplica(primary, primary_async)
    timeout = REPLICA_CONNECT_TIMEOUT
    return ReadReplica(
        primary,
        primary_async,
        postgres_engine(settings, url, pooled=True, connect_timeout=timeout),
        postgres_async_engine(settings, url, pooled=True, connect_timeout=timeout),
        max_lag=settings.read_max_lag,
    )
