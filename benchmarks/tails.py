"""Where the p99 of `GET /v1/cases/{id}` or of `POST /v1/cases` goes as the offered rate rises
(issue 18's targets: GET ≤ 5 ms at 3,000 req/s; POST ≤ 25 ms at half the library's rate; both
open loop), beside what each part of the machine spends meanwhile: the API workers, the load
generator and PostgreSQL, in CPU seconds a second (1.0 = one core), and the machine's idle
share. Not part of `make bench`: the experiment behind the README's bounds.

`redress api --workers 2` on a fresh database, cases filed for 4 s and 2,000 of them read once
to build them in each worker, then each rate offered open loop for 8 s, from the lowest up.

    python -m benchmarks.tails get [RATE ...]
    python -m benchmarks.tails post [RATE ...]
    python -m benchmarks.tails floor [RATE ...]

`floor`: each rate offered first to `benchmarks.floor_server` (the same HTTP stack in the same
two processes, answering every request with one case's bytes and doing nothing else), then as
`get` to the API: the tail of the machine, the load generator and the stack beside the API's.
"""

from __future__ import annotations

import contextlib
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmarks.harness import api_server, free_port, fresh_database, load
from benchmarks.request_cpu import SECONDS, _api_processes, _cpu_seconds
from benchmarks.rest import CONNECTIONS, _import_body, _listed_ids, _setup

RATES = {
    "get": (1000, 1500, 2000, 2500, 3000),
    "floor": (1500, 3000),
    "post": (50, 100, 200, 300, 420),
}


def _postgres_pids() -> list[str]:
    found = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True)
    return found.stdout.split()


def _idle_and_total() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return fields[3] + fields[4], sum(fields)  # idle + iowait, all


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _offered(url: str, token: str, workers: list[str], reads: list[str] | None, rate: float) -> str:
    """One rate offered: reads of `reads`, or filings when None."""
    postgres = _postgres_pids()
    before = (_cpu_seconds(workers), _cpu_seconds(postgres), _children_cpu(), _idle_and_total())
    started = time.perf_counter()
    request: dict[str, Any] = (
        {"method": "GET", "path": "", "paths": reads}
        if reads is not None
        else {"method": "POST", "path": "/v1/cases", "body": _import_body(int(rate))}
    )
    result: dict[str, Any] = load(
        url, token=token, connections=CONNECTIONS, seconds=SECONDS, rate=rate, **request
    )
    wall = time.perf_counter() - started  # the load generator's start and end included
    idle, total = (a - b for a, b in zip(_idle_and_total(), before[3], strict=True))
    api = (_cpu_seconds(workers) - before[0]) / wall
    database = (_cpu_seconds(postgres) - before[1]) / wall
    generator = (_children_cpu() - before[2]) / wall
    return (
        f"{rate:6.0f}/s offered  {result['rps']:6.0f}/s answered  p50 {result['p50_ms']:6.1f} ms"
        f"  p99 {result['p99_ms']:7.1f} ms  | cores busy: workers {api:.2f}, load generator "
        f"{generator:.2f}, PostgreSQL {database:.2f}; machine idle {idle / max(total, 1):.0%}"
        f"  (load {os.getloadavg()[0]:.1f})"
    )


@contextlib.contextmanager
def _floor_server(body: bytes) -> Iterator[tuple[str, list[str]]]:
    """benchmarks.floor_server answering with `body`: its URL and its processes."""
    port = free_port()
    with tempfile.NamedTemporaryFile(suffix=".json") as file:
        file.write(body)
        file.flush()
        command = [sys.executable, "-m", "benchmarks.floor_server", str(port), file.name]
        server = subprocess.Popen(command, cwd=Path(__file__).parent.parent)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                with contextlib.suppress(httpx.HTTPError):
                    if httpx.get(url, timeout=1).status_code == 200:
                        break
                time.sleep(0.1)
            children = subprocess.run(
                ["pgrep", "-P", str(server.pid)], capture_output=True, text=True
            ).stdout.split()
            yield url, [str(server.pid), *children]
        finally:
            server.terminate()
            server.wait(30)


def main() -> None:
    kind = sys.argv[1] if len(sys.argv) > 1 else "get"
    rates = [float(r) for r in sys.argv[2:]] or list(RATES[kind])
    with fresh_database() as db, api_server(db, workers=2) as url:
        workers = _api_processes(url.rsplit(":", 1)[1])
        token = _setup(url)
        load(url, method="POST", path="/v1/cases", token=token, body=_import_body(0), seconds=4)
        reads = [f"/v1/cases/{case_id}" for case_id in _listed_ids(url, token)]
        load(url, method="GET", path="", paths=reads, token=token, seconds=SECONDS)  # build them
        print(f"{len(reads)} cases")
        if kind != "floor":
            for rate in rates:
                offered = _offered(url, token, workers, reads if kind == "get" else None, rate)
                print(offered, flush=True)
            return
        auth = {"Authorization": f"Bearer {token}"}
        body = httpx.get(f"{url}{reads[0]}", headers=auth).content  # a case's answer, as is
        with _floor_server(body) as (floor, floor_processes):
            load(floor, method="GET", path="", paths=reads, token=token, seconds=2)  # warm up
            for rate in rates:
                print("floor " + _offered(floor, token, floor_processes, reads, rate), flush=True)
                print("api   " + _offered(url, token, workers, reads, rate), flush=True)


if __name__ == "__main__":
    main()
