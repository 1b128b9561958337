"""Rebuilding read models side by side, one process per group of them.

A rebuild is CPU-bound Python: decoding the log and applying it take about as long as each
other, and one interpreter runs one of them at a time. Each group here reads and decodes the
log itself and swaps its own tables, so on a machine with a free core per group (PostgreSQL
elsewhere) they finish in about the time one would take alone. On a small machine shared with
PostgreSQL one process does better: each group reads and decodes the whole log again. Every
read model keeps its own tracked position.
"""

from __future__ import annotations

import multiprocessing
import queue
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from projections.tracking import Projection
from services.settings import Settings

Progress = Callable[[str, int, int], None]  # group label, events read, head of the log


def groups(projections: Sequence[Projection], workers: int) -> list[list[Projection]]:
    """Round-robin in registry order (the case list and the case statistics, the two heavy
    ones, land in different groups)."""
    count = max(1, min(workers, len(projections)))
    return [list(projections[i::count]) for i in range(count)]


def label(group: Sequence[Projection]) -> str:
    return ", ".join(p.name for p in group)


def rebuild_side_by_side(
    settings: Settings, projections: Sequence[Projection], progress: Progress, workers: int = 1
) -> dict[str, int]:
    """Rebuild `projections` in `workers` processes (at most one per read model; 1: in this
    process); returns the position each group reached."""
    parts = groups(projections, workers)
    if len(parts) == 1:  # no process to start
        names = [p.name for p in parts[0]]
        return {label(parts[0]): _rebuild_group(settings.model_dump(), names, progress=progress)}
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(len(parts), context) as pool:
        updates = manager.Queue()
        settings_data = settings.model_dump()
        running: dict[str, Future[int]] = {
            label(part): pool.submit(_rebuild_group, settings_data, [p.name for p in part], updates)
            for part in parts
        }
        while not all(future.done() for future in running.values()):
            _relay(updates, progress, 0.1)
        _relay(updates, progress, 0)
        return {name: future.result() for name, future in running.items()}


def _relay(updates: Any, progress: Progress, wait: float) -> None:
    try:
        first = updates.get(timeout=wait) if wait else updates.get_nowait()
        progress(*first)
        while True:
            progress(*updates.get_nowait())
    except queue.Empty:
        return


def _rebuild_group(
    settings_data: dict[str, Any], names: list[str], updates: Any = None, progress: Any = None
) -> int:
    """Rebuild these read models, reporting progress on the `updates` queue (in a worker
    process) or to `progress` (in this one)."""
    from projections.rebuild import rebuild
    from projections.registry import named
    from services.projector.bootstrap import plumbing

    group = named(names)
    tag = label(group)
    with plumbing(Settings(**settings_data)) as wired:
        return rebuild(
            wired.engine,
            wired.app,
            group,
            progress=lambda done, head: (
                updates.put((tag, done, head)) if updates is not None else progress(tag, done, head)
            ),
        )
