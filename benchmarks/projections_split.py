"""Where a projections rebuild's time and CPU go, and the bound on its ratio to reading and
decoding the log alone (issue 18's target: >= 0.97× in the same run).

On the projections bench's log (REDRESS_BENCH_PROJECTION_EVENTS, 200,000 events by default;
seeded once), each run measures, back to back:

- the floor, as the bench measures it: reading and decoding the whole log in one thread
  (`read_batch` with the projector's plumbing), split into the read (`page_after`: wall
  time, and the CPU this process spends on it) and the decode (`to_domain_event`, CPU);
- the rebuild, as `redress projections rebuild` runs it (`rebuild_side_by_side`, one
  process), with timers put around the product's functions by this script (nothing in the
  product is changed): the read and the decode (in the read-ahead thread), the main thread's
  wait for the next batch, each projection's fold, flushing rows (COPY), building indexes,
  and the swap (the tail of the log, the tables moved, the positions), each as wall time and
  as the CPU of the thread that ran it; and the process's CPU in all;
- what passing decoded events to another process would cost: pickling and unpickling one
  2,000-event batch, per event, against decoding it.

Then it states the bound: in one interpreter decode, fold and flush share one GIL, so a
rebuild takes at least their CPU (plus index and swap), while the floor takes the read wall
time plus the decode CPU; and the same for two processes (a reader that decodes and pickles,
a folder that unpickles, folds and flushes), and for `--workers 2` (the log split by
aggregate: each process reads, decodes, folds and flushes half of it, with a free core each).

python -m benchmarks.projections_split [--runs 3]
Writes benchmarks/results/projections_split.json.
"""

from __future__ import annotations

import argparse
import json
import pickle
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from typing import Any

import projections.rebuild as rebuild_module
from benchmarks.harness import ROOT, load_average
from benchmarks.projections_bench import EVENTS, database, seed
from projections.buffered import BufferedRows
from projections.registry import PROJECTIONS
from projections.tracking import Batch
from services.bootstrap import open_redress
from services.eventstore.log_pages import page_after
from services.projector.bootstrap import plumbing
from services.projector.parallel import rebuild_side_by_side
from services.settings import Settings

RESULTS = ROOT / "benchmarks" / "results"
FOLDS = {p.fold: p.name for p in PROJECTIONS}
FLUSH = "flush rows (COPY)"


class Timers:
    """Seconds of wall time and of the calling thread's CPU, by part."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)

    @contextmanager
    def part(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), time.thread_time()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - wall
            self.cpu[name] += time.thread_time() - cpu

    def timed(self, name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.part(name):
                return function(*args, **kwargs)

        return wrapper


def timed_read(timers: Timers) -> Callable[[Any, int, int], Batch | None]:
    """`projections.tracking.read_batch`, with its read and its decode timed apart."""

    def read_batch(app: Any, after: int, limit: int) -> Batch | None:
        with timers.part("read (page_after)"):
            logged = page_after(app.recorder, after, limit)
        if not logged:
            return None
        decode = app.mapper.to_domain_event
        with timers.part("decode"):
            events = [decode(n) for n in logged]
        return Batch([n.id for n in logged], events)

    return read_batch


@contextmanager
def patched(target: Any, name: str, value: Any) -> Iterator[None]:
    before = getattr(target, name)
    setattr(target, name, value)
    try:
        yield
    finally:
        setattr(target, name, before)


def floor(settings: Settings) -> dict[str, Any]:
    """Reading and decoding the whole log, as the bench's `read_rate` does, parts timed."""
    timers = Timers()
    read = timed_read(timers)
    with plumbing(settings) as wired:
        logged = wired.app.recorder.max_notification_id() or 0
        wall, cpu, at = time.perf_counter(), time.process_time(), 0
        while (batch := read(wired.app, at, 2000)) is not None:
            at = batch.last
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"events": logged, "seconds": wall, "cpu": cpu, **_parts(timers)}


def rebuilt(settings: Settings) -> dict[str, Any]:
    """One `projections rebuild` (one process), its parts timed."""
    timers = Timers()
    original_reader = rebuild_module._reader

    @contextmanager
    def reader(app: Any, batch: int) -> Iterator[Iterator[Batch]]:
        with original_reader(app, batch) as batches:
            yield _waited(timers, batches)

    def fold(folds: Sequence[Any], rows: Any, read: Batch) -> None:
        events = tuple(read.events)
        for each in folds:
            with timers.part(f"fold: {FOLDS.get(each, each)}"):
                each(rows, events)

    patches: list[AbstractContextManager[None]] = [
        patched(rebuild_module, "read_batch", timed_read(timers)),
        patched(rebuild_module, "_reader", reader),
        patched(rebuild_module, "_fold", fold),
        patched(rebuild_module, "_index", timers.timed("build indexes", rebuild_module._index)),
        patched(rebuild_module, "_tail", timers.timed("swap: the tail", rebuild_module._tail)),
        patched(rebuild_module, "_swap", timers.timed("swap: move tables", rebuild_module._swap)),
        patched(BufferedRows, "flush", timers.timed(FLUSH, BufferedRows.flush)),
    ]
    for each in patches:
        each.__enter__()
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        rebuild_side_by_side(settings, PROJECTIONS, lambda *_: None, workers=1)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    finally:
        for each in reversed(patches):
            each.__exit__(None, None, None)
    return {"seconds": wall, "cpu": cpu, **_parts(timers)}


def _waited(timers: Timers, batches: Iterator[Batch]) -> Iterator[Batch]:
    while True:
        with timers.part("main thread waits for the next batch"):
            read = next(batches, None)
        if read is None:
            return
        yield read


def _parts(timers: Timers) -> dict[str, Any]:
    return {
        "wall": {k: round(v, 3) for k, v in sorted(timers.wall.items())},
        "thread_cpu": {k: round(v, 3) for k, v in sorted(timers.cpu.items())},
    }


def pickling(settings: Settings, runs: int = 3) -> dict[str, list[float]]:
    """µs an event: decoding a 2,000-event batch, pickling it, unpickling it."""
    found: dict[str, list[float]] = defaultdict(list)
    with plumbing(settings) as wired:
        logged = page_after(wired.app.recorder, 0, 2000)
        decode = wired.app.mapper.to_domain_event
        for _ in range(runs):
            cpu = time.thread_time()
            events = [decode(n) for n in logged]
            found["decode"].append((time.thread_time() - cpu) / len(logged) * 1e6)
            cpu = time.thread_time()
            data = pickle.dumps(events, protocol=pickle.HIGHEST_PROTOCOL)
            found["pickle.dumps"].append((time.thread_time() - cpu) / len(logged) * 1e6)
            cpu = time.thread_time()
            back = pickle.loads(data)
            found["pickle.loads"].append((time.thread_time() - cpu) / len(logged) * 1e6)
            assert back == events
            found["bytes"].append(len(data) / len(logged))
    return dict(found)


def bound(base: dict[str, Any], run: dict[str, Any], wire: dict[str, float]) -> dict[str, float]:
    """The ratios the measured parts allow, from µs an event: r (the read's CPU here),
    w (the read's wait on PostgreSQL), d (decode), f (every fold), c (the flush's CPU here),
    i (indexes and swap, after the last batch), p and u (pickling and unpickling)."""
    events = base["events"]
    per = {k: v / events * 1e6 for k, v in run["thread_cpu"].items()}
    wall = {k: v / events * 1e6 for k, v in run["wall"].items()}
    folds = {k.removeprefix("fold: "): v for k, v in per.items() if k.startswith("fold: ")}
    floor_read = base["wall"]["read (page_after)"] / events * 1e6
    floor_r = base["thread_cpu"]["read (page_after)"] / events * 1e6
    floor_d = base["thread_cpu"]["decode"] / events * 1e6
    floor_time = floor_r + (floor_read - floor_r) + floor_d  # one thread: one after another
    r, d, f, c = per["read (page_after)"], per["decode"], sum(folds.values()), per[FLUSH]
    i = wall["build indexes"] + wall["swap: the tail"] + wall["swap: move tables"]
    one = r + d + f + c + i  # one interpreter: the waits overlap, the CPU does not
    reader = r + d + wire["pickle.dumps"]
    folder = wire["pickle.loads"] + f + c
    split = (r + d + f + c) / 2 + i  # each process half of the log
    return {
        "floor µs an event: r + w + d": floor_time,
        "r": r,
        "w (floor)": floor_read - floor_r,
        "d": d,
        "f": f,
        **{f"f: {name}": v for name, v in folds.items()},
        "c": c,
        "i": i,
        "p": wire["pickle.dumps"],
        "u": wire["pickle.loads"],
        "one process: r + d + f + c + i": one,
        "one process: ratio at most": floor_time / one,
        "two processes: reader r + d + p": reader,
        "two processes: folder u + f + c": folder,
        "two processes: ratio at most (a free core each)": floor_time / (max(reader, folder) + i),
        "--workers 2: ratio at most (a free core each)": floor_time / split,
        "ratio measured (wall, this run)": base["seconds"] / run["seconds"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    found: list[dict[str, Any]] = []
    with database() as settings:
        app = open_redress(settings)
        try:
            seed(app, EVENTS)
        finally:
            app.close()
        wire = pickling(settings)
        for n in range(1, args.runs + 1):
            load = load_average()
            base, run = floor(settings), rebuilt(settings)
            entry = {
                "run": n,
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "load_average": load,
                "floor": base,
                "rebuild": run,
                "bound": bound(base, run, {k: min(v) for k, v in wire.items()}),
            }
            found.append(entry)
            print(json.dumps(entry, indent=1))
    print(json.dumps({"pickling µs an event (each run)": wire}, indent=1))
    (RESULTS / "projections_split.json").write_text(
        json.dumps({"runs": found, "pickling": wire}, indent=2)
    )


if __name__ == "__main__":
    main()
