"""CPU per request of `redress api --workers 2` (not part of `make bench`): what throughput
figures cannot show on a shared machine. The workers' user + system time is read from
`/proc` around each load, and divided by the answers:

- `POST /v1/cases` for 8 s at 64 connections;
- `GET /v1/cases/{id}` of 2,000 of those cases, twice (the first round builds each case once
  per worker, the second is answered from memory).

    python -m benchmarks.request_cpu [ROUNDS]

Each round starts its own server on a fresh database (REDRESS_BENCH_POSTGRES). To compare
two trees, run it from each alternately: the worker processes are the tree's own.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from typing import Any

from benchmarks.harness import api_server, fresh_database, load, process_cpu
from benchmarks.rest import CONNECTIONS, _import_body, _listed_ids, _setup

SECONDS = 8.0


def _cpu_seconds(pids: list[str]) -> float:
    """The CPU seconds these processes have used so far (those gone count nothing)."""
    total = 0.0
    for pid in pids:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            total += process_cpu(int(pid))
    return total


def _api_processes(port: str) -> list[str]:
    """The supervisor serving `port` and its workers."""
    found = subprocess.run(["pgrep", "-f", "--", f"--port {port}"], capture_output=True, text=True)
    parents = found.stdout.split()
    children = [
        child
        for parent in parents
        for child in subprocess.run(
            ["pgrep", "-P", parent], capture_output=True, text=True
        ).stdout.split()
    ]
    return parents + children


def _per_request(url: str, pids: list[str], token: str, method: str, path: str, **more: Any) -> str:
    before = _cpu_seconds(pids)
    result: dict[str, Any] = load(
        url,
        method=method,
        path=path,
        token=token,
        connections=CONNECTIONS,
        seconds=SECONDS,
        **more,
    )
    spent = _cpu_seconds(pids) - before
    answers = sum(int(count) for count in result["statuses"].values())
    return (
        f"{result['rps']:8.0f} req/s  {1e6 * spent / max(answers, 1):6.0f} µs of the workers' "
        f"CPU a request  ({answers} answers, load {os.getloadavg()[0]:.1f})"
    )


def run_round() -> None:
    with fresh_database() as db, api_server(db, workers=2) as url:
        pids = _api_processes(url.rsplit(":", 1)[1])
        token = _setup(url)
        filed = _per_request(url, pids, token, "POST", "/v1/cases", body=_import_body(0))
        print("POST /v1/cases       ", filed)
        reads = [f"/v1/cases/{case_id}" for case_id in _listed_ids(url, token)]
        for label in ("GET, each case built", "GET, from memory    "):
            print(label, _per_request(url, pids, token, "GET", "", paths=reads))


def main() -> None:
    for _ in range(int(sys.argv[1]) if len(sys.argv) > 1 else 1):
        run_round()


if __name__ == "__main__":
    main()
