"""Rebuilding read models in several processes, the log split by aggregate.

A rebuild is CPU-bound Python: decoding the log and folding it take about as long as each
other, and one interpreter runs one of them at a time. With `workers` > 1 on PostgreSQL, the
aggregates are split by id into parts; this process and `workers - 1` others each take the
next part there is, and read, decode and fold its events
(`projections.rebuild.build_part`) into one shadow schema. Then this process adds up the
totals, applies what was logged meanwhile and swaps the tables in
(`projections.rebuild.rebuild_split`). SQLite has one writer: it rebuilds in one process.

The parts: one large part per process, then one small one per process, taken by whoever is
free first, so a process that starts late takes fewer. Each part costs PostgreSQL a scan of
the log (the part's rows are picked from it), so there are few.

The other processes start first, before this one opens a connection or starts a thread: they
are forked then, and import nothing again (spawning them cost each a second of CPU, on a
two-core machine half a second of the rebuild). A process that already runs other threads
(one of which might hold a lock) spawns them instead.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from contextlib import suppress
from typing import Any

from projections.rebuild import Held, Part, build_part, rebuild, rebuild_split
from projections.registry import named
from projections.tracking import Projection
from services.projector.bootstrap import plumbing
from services.settings import Settings

Progress = Callable[[str, int, int], None]  # what is rebuilt, events read, head of the log
SMALL = 0.25  # a small part's size against a large one's


def label(projections: Sequence[Projection]) -> str:
    return ", ".join(p.name for p in projections)


def parts(workers: int, head: int) -> list[Part]:
    """The parts, in the order they are taken: large ones first."""
    return Part.split([1.0] * workers + [SMALL] * workers, head)


def rebuild_side_by_side(
    settings: Settings, projections: Sequence[Projection], progress: Progress, workers: int = 1
) -> dict[str, int]:
    """Rebuild `projections` in `workers` processes (1, or SQLite: in this process); returns
    the position reached, by the read models' names. Progress is reported by part."""
    name = label(projections)
    if workers == 1 or settings.is_sqlite:
        with plumbing(settings) as wired:
            report = _reporter(progress, name)
            return {name: rebuild(wired.engine, wired.app, projections, progress=report)}
    with _Takers(settings, projections, workers) as takers, plumbing(settings) as wired:

        def build(shadow: str, head: int, index: Callable[[], None]) -> list[Held]:
            return takers.build(shadow, parts(workers, head), index, progress)

        return {name: rebuild_split(wired.engine, wired.app, projections, build)}


class _Takers:
    """This process (a thread of it) and `workers - 1` others, each taking the next part from
    a queue until it finds a stop."""

    def __init__(self, settings: Settings, projections: Sequence[Projection], workers: int):
        self.workers = workers
        method = "fork" if threading.active_count() == 1 else "spawn"
        context = multiprocessing.get_context(method)
        self.updates: Any = context.Queue()
        self.queued: Any = context.SimpleQueue()  # written at once (no feeder thread)
        self.job = (settings.model_dump(), [p.name for p in projections])
        self.pool = ProcessPoolExecutor(
            workers - 1, context, initializer=_taking_from, initargs=(self.queued, self.updates)
        )
        self.others = [self.pool.submit(_build_parts, *self.job) for _ in range(workers - 1)]

    def __enter__(self) -> _Takers:
        return self

    def __exit__(self, *failure: object) -> None:
        for _ in range(self.workers):  # no more parts: the takers stop (if not already)
            self.queued.put(None)
        # With the results in, the workers exit (freeing what they built) while this goes on.
        self.pool.shutdown(wait=False, cancel_futures=True)

    def build(
        self, shadow: str, todo: Sequence[Part], index: Callable[[], None], progress: Progress
    ) -> list[Held]:
        """Every part of `todo`, built into `shadow`; what each held back. Once a taker finds
        no part left, this thread builds the indexes while the others finish."""
        for n, part in enumerate(todo, start=1):
            self.queued.put((f"part {n} of {len(todo)}", shadow, part))
        for _ in range(self.workers):
            self.queued.put(None)  # one stop for each taker
        with ThreadPoolExecutor(1) as here:
            mine = here.submit(_take_parts, self.queued, self.updates, *self.job)
            running: list[Future[list[Held]]] = [*self.others, mine]
            pending, indexed = set(running), False
            while pending:
                done, pending = wait(pending, timeout=0.1)
                _relay(self.updates, progress)
                if done and not indexed:
                    index()
                    indexed = True
            return [held for future in running for held in future.result()]


def _relay(updates: Any, progress: Progress) -> None:
    with suppress(queue.Empty):
        while True:
            progress(*updates.get_nowait())


_queues: tuple[Any, Any] = (None, None)  # a worker process's parts and progress queues


def _taking_from(queued: Any, updates: Any) -> None:
    """The worker process's queues (a queue cannot be a task's argument)."""
    global _queues
    _queues = (queued, updates)


def _build_parts(settings_data: dict[str, Any], names: list[str]) -> list[Held]:
    """In a worker process: the parts it takes."""
    return _take_parts(*_queues, settings_data, names)


def _take_parts(
    queued: Any, updates: Any, settings_data: dict[str, Any], names: list[str]
) -> list[Held]:
    """Build the next part there is until a stop; what each part held back."""
    held: list[Held] = []
    projections = named(names)
    with plumbing(Settings(**settings_data)) as wired:
        while (taken := queued.get()) is not None:
            tag, shadow, part = taken
            report = _reporter(lambda *update: updates.put(update), tag)
            held.append(
                build_part(wired.engine, wired.app, projections, shadow, part, progress=report)
            )
    return held


def _reporter(progress: Progress, tag: str) -> Callable[[int, int], None]:
    return lambda done, head: progress(tag, done, head)
