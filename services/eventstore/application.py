"""The eventsourcing `Application` with Redress's plumbing: the use cases
(services.application) subclass it and see only get, save and read.

- Saves go through the group commit (services.eventstore.group_commit), with the versions a
  command read and the idempotent answer it gives checked and written in the same commit.
- Long aggregates get snapshots every SNAPSHOT_INTERVAL events.
- Many aggregates are read in two queries on PostgreSQL (services.eventstore.bulk_get).
- Personal data is sealed per data subject (services.eventstore.subject_keys): the keys'
  rows are written in the commit of the events sealed under them.
- Listeners hear of every commit (the scheduler's in-process wake-up).
- The tables are Alembic's (migrations/versions/0008_event_tables.py), made for the name
  "redress": every subclass keeps that name, so it uses the same tables.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    LRUCache,
    ProcessingEvent,
)
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Mapper, OperationalError
from eventsourcing.postgres import PostgresApplicationRecorder
from prometheus_client import Counter
from psycopg_pool import ConnectionPool

from services.eventstore import bulk_get
from services.eventstore.group_commit import GroupCommit
from services.eventstore.recorders import ReadVersions
from services.eventstore.subject_keys import SUBJECT_KEYS_UNSEAL, Keyring, KeyRow
from services.eventstore.transcodings import (
    ORJSON_TRANSCODER,
    CalendarAsDict,
    DeadlineAsDict,
    OutageAwareMapper,
    SealedAsToken,
)
from services.idempotent_outcomes import Outcome

SNAPSHOT_INTERVAL = 100
RECONNECT_SECONDS = 4.0  # a lost event-store connection's retries, before a fresh start
log = logging.getLogger(__name__)
EVENTS_APPENDED = Counter(
    "redress_events_appended_total", "Events saved to the event store", ["type"]
)


class EventStoreApplication(Application[UUID]):
    name = "redress"  # the tables' prefix on PostgreSQL (redress_events, redress_snapshots)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The library names a subclass's tables after the class; only "redress" is migrated.
        named = "name" in cls.__dict__
        super().__init_subclass__(**kwargs)
        if not named:
            cls.name = EventStoreApplication.name

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = {
            "IS_SNAPSHOTTING_ENABLED": "y",
            # Writes sealed personal data as its ciphertext (domain.sealing); reads with orjson.
            "TRANSCODER_TOPIC": ORJSON_TRANSCODER,
            **(env or {}),
        }
        super().__init__(env=env)
        self._reconnect_soon()
        self.keyring = Keyring(
            self.recorder.datastore,  # type: ignore[attr-defined]
            postgres="POSTGRES_DBNAME" in env,
            master_key=env.get("SUBJECT_KEYS_MASTER_KEY") or None,
            ttl=float(env.get("SUBJECT_KEYS_TTL", "5")),
            unseal=env.get(SUBJECT_KEYS_UNSEAL, "yes") != "no",
        )
        # Here, not in register_transcodings: the keyring needs the event store, which the
        # library makes after the transcoder.
        if isinstance(transcoder := self.mapper.transcoder, JSONTranscoder):
            transcoder.register(SealedAsToken(self.keyring.unseal))
        self._listeners: list[Callable[[], None]] = []
        self._group_commit = GroupCommit(self._save_events)

    @property
    def connection_pool(self) -> ConnectionPool | None:
        """The event store's psycopg pool (PostgreSQL), for SQLAlchemy to borrow from."""
        pool = getattr(getattr(self.factory, "datastore", None), "pool", None)
        return pool if isinstance(pool, ConnectionPool) else None

    def _reconnect_soon(self) -> None:
        """After an outage, get back to PostgreSQL within seconds of its return. The pool
        retries a lost connection with exponential backoff for 5 minutes: after 30 s away its
        next try could be 30 s off. Giving up after a few seconds lets the next request start
        a fresh try at once."""
        if (pool := self.connection_pool) is not None:
            pool.reconnect_timeout = RECONNECT_SECONDS

    def save(
        self,
        *objs: Any,
        reads: ReadVersions | None = None,
        outcome: Outcome | None = None,
        keys: Sequence[KeyRow] = (),
        **kwargs: Any,
    ) -> Any:
        """Save through the group commit: this call's events share a transaction with other
        threads' concurrent saves, and return once committed. `reads`: the versions of other
        aggregates the events were decided on; if one has moved since, StaleRead. `outcome`:
        the idempotent answer to the request, committed with the events; `keys`: the subject
        keys the events are sealed under, stored with them."""
        if kwargs:  # tracking records and the like: the library's own path
            return super().save(*objs, **kwargs)
        events = [
            e
            for o in objs
            if o is not None
            for e in (o.collect_events() if hasattr(o, "collect_events") else [o])
        ]
        if not events:
            return []
        recordings = self._group_commit.save(events, reads, [outcome] if outcome else [], keys)
        if keys:
            self.keyring.stored(keys)
        if outcome is not None:
            outcome.claim.settled = True
        for event in events:
            EVENTS_APPENDED.labels(type(event).__name__).inc()
        return recordings

    def _save_events(self, *events: Any, **kwargs: Any) -> Any:
        """The library's `save` for events already collected (the group commit's writer). The
        library's own asks each object `isinstance(obj, DomainEventProtocol)`, a check against
        a runtime Protocol that costs Python 3.11 about 27 µs (it lists the protocol's members
        every time): more than anything else the one writer thread did per event. No
        aggregate is passed, so there is nothing for the library to cache or snapshot (this
        application snapshots in `maybe_snapshot`)."""
        processing_event: ProcessingEvent[Any] = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._notify(recordings)
        return recordings

    def on_saved(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every commit of this application's events."""
        self._listeners.append(listener)

    def _notify(self, recordings: Any) -> None:
        # The library calls this after each commit, in the committing (group commit) thread.
        super()._notify(recordings)
        for listener in self._listeners:
            listener()

    def notify_channel(self) -> str | None:
        """The channel PostgreSQL NOTIFYs on with every insert into the events (None on
        SQLite, which has no such signal)."""
        recorder = self.recorder
        return recorder.channel_name if isinstance(recorder, PostgresApplicationRecorder) else None

    def get_many(self, ids: Sequence[UUID]) -> dict[UUID, Any]:
        """Private copies of the aggregates found among `ids` (absent ones are left out); on
        PostgreSQL in two queries, not two per aggregate."""
        if bulk_get.supports(self):
            return bulk_get.get_many(self, ids)
        found: dict[UUID, Any] = {}
        for aggregate_id in ids:
            try:
                found[aggregate_id] = self.repository.get(aggregate_id)
            except AggregateNotFoundError:
                continue
        return found

    def maybe_snapshot(self, aggregate: Any, saved: int) -> None:
        """Every SNAPSHOT_INTERVAL events, store the aggregate's state, so current and past
        states of long ones are rebuilt from the nearest snapshot, not from the start. Best
        effort: the events are already committed, and a missing snapshot costs time only."""
        version = aggregate.version
        if (
            self.snapshots is None
            or version // SNAPSHOT_INTERVAL == (version - saved) // SNAPSHOT_INTERVAL
        ):
            return
        try:
            self.snapshots.put([type(aggregate).Snapshot.take(aggregate)])
        except (IntegrityError, OperationalError) as failure:
            log.warning("no snapshot of %s at version %d: %s", aggregate.id, version, failure)

    def forget_cached(self) -> None:
        """Drop the in-memory aggregates. Only needed when stored events were removed under a
        running process (a test's reset, a database restored from an older backup)."""
        cache = self.repository.cache
        if isinstance(cache, LRUCache):
            with cache.lock:
                cache.cache.clear()
                cache.clear()
                cache.full = False
        elif cache is not None:
            cache.cache.clear()

    def construct_mapper(self) -> Mapper[UUID]:
        return self.factory.mapper(
            transcoder=self.construct_transcoder(), mapper_class=OutageAwareMapper
        )

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DeadlineAsDict())
        transcoder.register(CalendarAsDict())

    def close(self) -> None:
        self._group_commit.close()
        super().close()
