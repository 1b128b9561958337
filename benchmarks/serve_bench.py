"""The embedded default (issue 18): `POST /v1/cases` against `redress serve`, in one process
with the API and every background role (projector, scheduler, notifier, translator,
checkpointer), and as `redress serve --workers 2` (the API in two processes, the roles in a
third), each beside the eventsourcing library's own save rate measured once per database in the
same section:

- on PostgreSQL, against `Application.save` from 8 threads (the baseline of `rest`). Target:
  ≥ 1.0× the library, p99 ≤ 100 ms;
- on SQLite (the default database), against the library's SQLite `Application.save` from one
  thread (SQLite takes one writer at a time). Target: ≥ 0.5× the library, p99 ≤ 100 ms.

64 connections for 10 s, closed loop, from the load generator in its own process; each server
on a database of its own.

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


# API processes: the one-process default, and the API in two processes with the roles in a third.
WORKERS = (1, 2)


def _served(workers: int) -> str:
    return "embedded `redress serve`" if workers == 1 else f"`redress serve --workers {workers}`"


def _post_figure(
    database_url: str, database: str, workers: int, baseline: tuple[float, int], share: float
) -> Figure:
    """The figure of `serve` with `workers` on `database_url`, beside `baseline`: the library's
    save rate from a number of threads, on a database of the same kind."""
    rate, threads = baseline
    with api_server(database_url, embedded=True, workers=workers) as url:
        token = _setup(url)
        post = post_cases(url, token)
    return Figure(
        SECTION,
        f"POST /v1/cases, {_served(workers)} on {database}, {CONNECTIONS} connections",
        post["rps"],
        "req/s",
        baseline=f"eventsourcing Application.save on {database}, threads: {threads}",
        baseline_value=rate,
        target=f"≥ {share:g}× the library, p99 ≤ {P99_MS:g} ms",
        met=post["rps"] >= share * rate and post["p99_ms"] <= P99_MS,
        extra=post_extra(post),
    )


def _postgres() -> list[Figure]:
    with fresh_database("servelib") as library:
        baseline = (library_save_rate(library, threads=8), 8)
    figures = []
    for workers in WORKERS:
        with fresh_database("serve") as url:
            figures.append(_post_figure(url, "PostgreSQL", workers, baseline, 1.0))
    return figures


def _sqlite() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="redress-serve-bench-") as directory:
        folder = Path(directory)
        baseline = (library_save_rate(f"sqlite:///{folder / 'lib.db'}", threads=1), 1)
        return [
            _post_figure(f"sqlite:///{folder / f'redress-{n}.db'}", "SQLite", n, baseline, 0.5)
            for n in WORKERS
        ]


def run() -> list[Figure]:
    return [*_postgres(), *_sqlite()]


if __name__ == "__main__":
    for figure in run():
        print(
            f"{figure.name}: {figure.value:,.1f} {figure.unit} against "
            f"{figure.baseline_value:,.1f} ({figure.baseline}) = {figure.ratio:.2f}×, "
            f"p99 {figure.extra['p99_ms']:.1f} ms, "
            f"errors {figure.extra['errors']}; target {figure.target}: met={figure.met}"
        )
