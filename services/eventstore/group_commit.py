"""Group commit: concurrent saves share one transaction.

Every save to the event store takes the events table's lock and waits for its own commit to
reach the disk, so one writer at a time commits one aggregate at a time. The library's
`save(*events)` writes any number of events in one transaction; here one writer thread takes
every save waiting in the queue and commits them together, amortising the lock and the fsync.
Durability is unchanged: a caller returns only after its events are committed. If a batch
conflicts (a stale aggregate, or a stale read: services.eventstore.recorders), each save in it is
retried alone, so only the stale one fails. A save may carry the answer of the request that
made it (services.idempotent_outcomes), committed in the same transaction as its events.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import IntegrityError

Save = Callable[..., list[Any]]
MAX_BATCH = 256


@dataclass
class _Pending:
    events: Sequence[Any]
    reads: Mapping[Any, int]
    outcomes: Sequence[Any]
    keys: Sequence[Any] = ()
    done: Future[list[Any]] = field(default_factory=Future)


class GroupCommit:
    def __init__(self, save: Save, max_batch: int = MAX_BATCH) -> None:
        self._save, self._max_batch = save, max_batch
        self._queue: queue.SimpleQueue[_Pending | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
        self._thread.start()

    def save(
        self,
        events: Sequence[Any],
        reads: Mapping[Any, int] | None = None,
        outcomes: Sequence[Any] = (),
        keys: Sequence[Any] = (),
    ) -> list[Any]:
        """Commit these events (with whatever else is waiting); block until durable. `reads`:
        the aggregate versions these events were decided on, checked in the same commit;
        `outcomes`: idempotent answers to commit with them; `keys`: the rows of the subject
        keys they are sealed under (services.eventstore.subject_keys)."""
        pending = _Pending(events, reads or {}, outcomes, keys)
        self._queue.put(pending)
        return pending.done.result()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            batch = [first]
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    self._commit(batch)
                    return
                batch.append(more)
            self._commit(batch)

    def _commit(self, batch: list[_Pending]) -> None:
        reads: dict[Any, int] = {}
        agreed = all(reads.setdefault(k, v) == v for p in batch for k, v in p.reads.items())
        if len(batch) > 1 and agreed:
            try:
                recordings = self._record(
                    *[e for p in batch for e in p.events],
                    reads=reads,
                    outcomes=[o for p in batch for o in p.outcomes],
                    keys=[k for p in batch for k in p.keys],
                )
            except IntegrityError:
                pass  # someone in the batch is stale: find out who, one by one
            except BaseException as failure:
                for pending in batch:
                    pending.done.set_exception(failure)
                return
            else:
                start = 0
                for pending in batch:
                    end = start + len(pending.events)
                    pending.done.set_result(recordings[start:end])
                    start = end
                return
        for pending in batch:
            try:
                pending.done.set_result(
                    self._record(
                        *pending.events,
                        reads=pending.reads,
                        outcomes=pending.outcomes,
                        keys=pending.keys,
                    )
                )
            except BaseException as failure:
                pending.done.set_exception(failure)

    def _record(
        self,
        *events: Any,
        reads: Mapping[Any, int],
        outcomes: Sequence[Any],
        keys: Sequence[Any] = (),
    ) -> list[Any]:
        extra: dict[str, Any] = {}
        if keys:
            extra["subject_keys"] = keys
        if reads:
            extra["read_versions"] = reads
        if outcomes:
            extra["outcomes"] = outcomes
        return self._save(*events, **extra)
