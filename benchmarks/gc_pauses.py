"""The garbage collector's full collections in the API workers while `POST /v1/cases` is
offered open loop, beside the p99 (the experiment behind services/collector.py; not part of
`make bench`). A full collection holds the interpreter lock while it walks every tracked
object, so each one stalls every request of its worker.

`redress api --workers 2` on a fresh database, set up as `benchmarks.tails` does; each worker
logs each full collection (`gc.callbacks`, installed by a sitecustomize module on the
workers' PYTHONPATH, ahead of the tree under test). For each rate: the tails line, then the
full collections the workers ran while it was offered, with their durations; at the end,
each process's peak memory.

    python -m benchmarks.gc_pauses [RATE ...]      (default: 420 560)

Run it from another tree with PYTHONPATH=<tree> to compare trees.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.harness import api_server, fresh_database, load
from benchmarks.request_cpu import SECONDS, _api_processes
from benchmarks.rest import _import_body, _listed_ids, _setup
from benchmarks.tails import _offered

RATES = (420.0, 560.0)
LOG = "BENCH_GC_LOG"  # the folder the workers log their full collections to

SITECUSTOMIZE = """
import gc, os, time
if os.environ.get("BENCH_GC_LOG"):
    _log = open(os.path.join(os.environ["BENCH_GC_LOG"], f"{os.getpid()}.log"), "a", buffering=1)
    _started = [0.0]

    def _timed(phase, info):
        if info["generation"] != 2:
            return
        if phase == "start":
            _started[0] = time.perf_counter()
        else:
            ms = (time.perf_counter() - _started[0]) * 1000
            _log.write(f"{time.time():.3f} {ms:.2f}\\n")

    gc.callbacks.append(_timed)
"""


def _full_collections(folder: Path, pids: list[str], since: float, until: float) -> list[float]:
    """Durations (ms) of the full collections `pids` ran between `since` and `until`."""
    durations = []
    for pid in pids:
        log = folder / f"{pid}.log"
        if not log.exists():
            continue
        for line in log.read_text().splitlines():
            at, ms = (float(v) for v in line.split())
            if since <= at <= until:
                durations.append(ms)
    return durations


def _peak_memory_mb(pids: list[str]) -> list[int]:
    """Each process's peak resident memory so far (VmHWM), in MB."""
    peaks = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) // 1024)
    return peaks


def main() -> None:
    rates = [float(r) for r in sys.argv[1:]] or list(RATES)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        (folder / "sitecustomize.py").write_text(SITECUSTOMIZE)
        path = os.pathsep.join(p for p in (scratch, os.environ.get("PYTHONPATH")) if p)
        env = {"PYTHONPATH": path, LOG: scratch}
        with fresh_database() as db, api_server(db, workers=2, extra_env=env) as url:
            workers = _api_processes(url.rsplit(":", 1)[1])
            token = _setup(url)
            body = _import_body(0)
            load(url, method="POST", path="/v1/cases", token=token, body=body, seconds=4)
            reads = [f"/v1/cases/{case_id}" for case_id in _listed_ids(url, token)]
            load(url, method="GET", path="", paths=reads, token=token, seconds=SECONDS)
            for rate in rates:
                since = time.time()
                print(_offered(url, token, workers, None, rate), flush=True)
                pauses = _full_collections(folder, workers, since, time.time())
                shown = ", ".join(f"{ms:.0f} ms" for ms in sorted(pauses, reverse=True))
                print(f"    full collections in the workers meanwhile: {len(pauses)} {shown}")
            peaks = ", ".join(f"{mb} MB" for mb in _peak_memory_mb(workers))
            print(f"    peak memory of each process: {peaks}")


if __name__ == "__main__":
    main()
