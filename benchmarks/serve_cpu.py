"""What bounds the embedded `redress serve` (not part of `make bench`): `POST /v1/cases` for
8 s at 64 connections, as the serve section offers it, with the CPU each process of `serve`
spends meanwhile (1.0 = one core) and the machine's idle share.

One process runs the API and every background role under one interpreter lock: if it is
near one core busy while the machine has cores idle, the lock is the bound, and its filings
per second are at most 1 / (its CPU seconds a filing). With `--workers 2` the API and the
roles have processes of their own.

    python -m benchmarks.serve_cpu [WORKERS ...]      (default: 1 2)
"""

from __future__ import annotations

import sys
from typing import Any

from benchmarks.harness import api_server, fresh_database, load
from benchmarks.request_cpu import SECONDS, _api_processes, _cpu_seconds
from benchmarks.rest import CONNECTIONS, _import_body, _setup
from benchmarks.tails import _idle_and_total


def run(workers: int) -> str:
    with fresh_database("servecpu") as db, api_server(db, workers=workers, embedded=True) as url:
        pids = _api_processes(url.rsplit(":", 1)[1])
        token = _setup(url)
        before = {pid: _cpu_seconds([pid]) for pid in pids}
        idle_before = _idle_and_total()
        result: dict[str, Any] = load(
            url,
            method="POST",
            path="/v1/cases",
            token=token,
            body=_import_body(0),
            connections=CONNECTIONS,
            seconds=SECONDS,
        )
        cores = sorted(
            ((_cpu_seconds([pid]) - before[pid]) / SECONDS for pid in pids), reverse=True
        )
        idle, total = (a - b for a, b in zip(_idle_and_total(), idle_before, strict=True))
    answers = sum(int(count) for count in result["statuses"].values())
    spent = sum(cores) * SECONDS
    busy = ", ".join(f"{c:.2f}" for c in cores if c >= 0.01)
    return (
        f"serve --workers {workers}: {result['rps']:.0f} filings/s, p99 {result['p99_ms']:.0f} ms;"
        f" {1e6 * spent / max(answers, 1):.0f} µs of serve's CPU a filing; cores busy by process"
        f" {busy}; machine idle {idle / max(total, 1):.0%}"
    )


def main() -> None:
    for workers in [int(w) for w in sys.argv[1:]] or [1, 2]:
        print(run(workers), flush=True)


if __name__ == "__main__":
    main()
