"""Shared pieces of the benchmark harness: figures, fresh databases, servers, load clients.

Every figure is measured in the same run as the baseline it is compared with. The load
generator always runs in a separate process pinned to its own core (`taskset`), so it does not
share the server's interpreter.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit
from uuid import uuid4

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
ADMIN = "bench-admin-" + uuid4().hex
SERVER_URL = os.environ.get(
    "REDRESS_BENCH_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)


@dataclass
class Figure:
    section: str
    name: str
    value: float
    unit: str
    baseline: str | None = None
    baseline_value: float | None = None
    target: str | None = None
    met: bool | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    error: str | None = None  # the section could not measure this: why

    @property
    def ratio(self) -> float | None:
        if self.baseline_value:
            return self.value / self.baseline_value
        return None

    @property
    def failed(self) -> bool:
        """A target missed, or nothing measured: the run says so in its exit code."""
        return self.met is False or self.error is not None

    @classmethod
    def could_not_run(cls, section: str, error: BaseException) -> Figure:
        return cls(
            section,
            "the section could not run",
            float("nan"),
            "",
            met=False,
            error=f"{type(error).__name__}: {error}",
        )


@contextlib.contextmanager
def fresh_database(prefix: str = "bench") -> Iterator[str]:
    """A new, empty PostgreSQL database; dropped afterwards."""
    name = f"{prefix}_{uuid4().hex[:10]}"
    with psycopg.connect(SERVER_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(SERVER_URL)
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(SERVER_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextlib.contextmanager
def collector_of_a_role() -> Iterator[None]:
    """The garbage collector as a long-running role sets it once started (services.collector:
    what the process holds frozen, the young collected less often), for a role measured in
    the bench's own process; the bench's settings come back afterwards."""
    from services.collector import freeze_startup

    threshold = gc.get_threshold()
    freeze_startup()
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def api_server(
    database_url: str,
    *,
    workers: int = 1,
    cores: str | None = None,
    extra_env: dict[str, str] | None = None,
    embedded: bool = False,
) -> Iterator[str]:
    """`redress api` as its own process (optionally pinned to `cores`); yields its URL.
    `embedded`: `redress serve` instead: with one worker the API with every background role in
    one process; with more, the API in `workers` processes and the roles in one more."""
    port = free_port()
    env = {
        **os.environ,
        "REDRESS_DATABASE_URL": database_url,
        "REDRESS_ADMIN_TOKEN": ADMIN,
        "REDRESS_RATE_LIMIT_PER_SECOND": "0",  # one key drives all the load
        **(extra_env or {}),
    }
    command = [str(VENV_BIN / "redress"), "serve" if embedded else "api"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    if cores and shutil.which("taskset"):
        command = ["taskset", "-c", cores, *command]
    log = open(ROOT / "benchmarks" / "results" / f"api-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the API did not start (see {log.name})")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def admin_post(url: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
    answer = httpx.post(
        f"{url}{path}", json=body, headers={"Authorization": f"Bearer {ADMIN}"}, timeout=30
    )
    answer.raise_for_status()
    result: dict[str, Any] = answer.json()
    return result


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def load(
    url: str,
    *,
    method: str,
    path: str,
    token: str,
    body: dict[str, Any] | None = None,
    connections: int = 64,
    seconds: float = 10,
    rate: float | None = None,
    paths: list[str] | None = None,
    core: str = "1",
) -> dict[str, float]:
    """Run benchmarks.loadgen in its own process pinned to `core`; returns its summary."""
    spec = {
        "url": url,
        "method": method,
        "path": path,
        "paths": paths,
        "token": token,
        "body": body,
        "connections": connections,
        "seconds": seconds,
        "rate": rate,
    }
    command = [sys.executable, "-m", "benchmarks.loadgen", json.dumps(spec)]
    if shutil.which("taskset"):
        command = ["taskset", "-c", core, *command]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=seconds + 120
    )
    summary: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return summary


def libpq_url(database_url: str) -> str:
    """A Redress database URL (any PostgreSQL scheme the settings accept) as psycopg takes it."""
    return "postgresql://" + database_url.split("://", 1)[1]


def to_json(figures: list[Figure]) -> list[dict[str, Any]]:
    return [{**asdict(f), "ratio": f.ratio} for f in figures]


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_cpu(path: str) -> float:
    """User + system CPU seconds from a /proc stat file (fields 14 and 15)."""
    with open(path) as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def process_cpu(pid: int) -> float:
    """CPU seconds process `pid` has used so far (every thread, user and system)."""
    return _stat_cpu(f"/proc/{pid}/stat")


def thread_cpu(pid: int) -> dict[int, float]:
    """CPU seconds so far of each thread of process `pid`, by thread id (the main thread's is
    `pid`); threads that have ended are not listed (their time is in `process_cpu`)."""
    found = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            found[int(tid)] = _stat_cpu(f"/proc/{pid}/task/{tid}/stat")
    return found


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `uptime` shows them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())
