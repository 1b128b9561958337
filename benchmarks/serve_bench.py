"""The embedded default (issue 18): `POST /v1/cases` against `redress serve`, one process with
the API and every background role (projector, scheduler, notifier, translator, checkpointer),
each beside the eventsourcing library's own save rate measured in the same section:

- on PostgreSQL, against `Application.save` from 8 threads (the baseline of `rest`). Target:
  ≥ 1.0× the library, p99 ≤ 100 ms;
- on SQLite (the default database), against the library's SQLite `Application.save` from one
  thread (SQLite takes one writer at a time). Target: ≥ 0.5× the library, p99 ≤ 100 ms.

64 connections for 10 s, closed loop, from the load generator in its own process.

python -m benchmarks --only serve, or python -m benchmarks.serve_bench
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.baselines import library_save_rate
from benchmarks.harness import Figure, api_server, fresh_database
from benchmarks.rest import CONNECTIONS, _setup, post_cases, post_extra

SECTION = "serve"
P99_MS = 100.0


def _post_figure(
    database_url: str, library_url: str, database: str, threads: int, share: float
) -> Figure:
    """The figure on `database_url`, beside the library's save from `threads` threads on a
    database of the same kind (`library_url`), measured first."""
    baseline = library_save_rate(library_url, threads=threads)
    with api_server(database_url, embedded=True) as url:
        token = _setup(url)
        post = post_cases(url, token)
    return Figure(
        SECTION,
        f"POST /v1/cases, embedded `redress serve` on {database}, {CONNECTIONS} connections",
        post["rps"],
        "req/s",
        baseline=f"eventsourcing Application.save on {database}, threads: {threads}",
        baseline_value=baseline,
        target=f"≥ {share:g}× the library, p99 ≤ {P99_MS:g} ms",
        met=post["rps"] >= share * baseline and post["p99_ms"] <= P99_MS,
        extra=post_extra(post),
    )


def _postgres() -> Figure:
    with fresh_database("servelib") as library, fresh_database("serve") as url:
        return _post_figure(url, library, "PostgreSQL", 8, 1.0)


def _sqlite() -> Figure:
    with tempfile.TemporaryDirectory(prefix="redress-serve-bench-") as directory:
        url, library = (f"sqlite:///{Path(directory) / name}" for name in ("redress.db", "lib.db"))
        return _post_figure(url, library, "SQLite", 1, 0.5)


def run() -> list[Figure]:
    return [_postgres(), _sqlite()]


if __name__ == "__main__":
    for figure in run():
        print(
            f"{figure.name}: {figure.value:,.1f} {figure.unit} against "
            f"{figure.baseline_value:,.1f} ({figure.baseline}) = {figure.ratio:.2f}×, "
            f"p99 {figure.extra['p99_ms']:.1f} ms, "
            f"errors {figure.extra['errors']}; target {figure.target}: met={figure.met}"
        )
