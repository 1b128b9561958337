"""`redress api --workers 2` (services.entrypoints.api_workers): connections are spread over
both workers, a killed worker is replaced, SIGTERM drains and ends them all, and a supervisor
killed outright takes its workers with it."""

from __future__ import annotations

import os
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import httpx
from support.postgres import free_port
from support.processes import ApiService, Fleet, sockets_on, spawned_children, wait_until

CONNECTIONS = 40


def _workers(api: ApiService) -> set[int]:
    assert api.process is not None
    return spawned_children(api.process.pid)


def _open_connections(api: ApiService) -> list[socket.socket]:
    connections = []
    for _ in range(CONNECTIONS):
        connection = socket.create_connection(("127.0.0.1", api.port), timeout=10)
        connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
        connections.append(connection)
    return connections


def test_workers_share_the_connections_are_replaced_and_drain_on_sigterm(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    running = fleet(sqlite_url)
    api = running.api("--workers", "2")
    wait_until(lambda: len(_workers(api)) == 2, 30, "two workers")
    first, second = sorted(_workers(api))
    wait_until(
        lambda: all(sockets_on(pid, api.port, "0A") for pid in (first, second)),
        60,
        "both workers listening",
    )
    connections = _open_connections(api)
    try:
        shares = [sockets_on(pid, api.port) for pid in (first, second)]
        assert sum(shares) == CONNECTIONS
        assert min(shares) >= 6, shares  # one shared socket was seen to split 50 to 14
    finally:
        for connection in connections:
            connection.close()
    os.kill(first, signal.SIGKILL)
    wait_until(lambda: first not in _workers(api) and len(_workers(api)) == 2, 60, "a new worker")
    assert httpx.get(f"{api.url}/healthz", timeout=10).status_code == 200
    workers = _workers(api)
    assert running.stop() == {"api": 0}
    for pid in workers:
        assert not Path(f"/proc/{pid}").exists()


def test_a_killed_supervisor_takes_its_workers_with_it(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    api = fleet(sqlite_url).api("--workers", "2")
    wait_until(lambda: len(_workers(api)) == 2, 30, "two workers")
    workers = _workers(api)
    assert api.process is not None
    os.kill(api.process.pid, signal.SIGKILL)  # the supervisor alone, not its process group
    api.process.wait(timeout=10)
    wait_until(lambda: not any(Path(f"/proc/{pid}").exists() for pid in workers), 30, "no orphan")


def _healthz_count(metrics: str) -> float:
    """Requests to /healthz the exposition counts, over every status."""
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("redress_http_request_duration_seconds_count{") and (
            'route="/healthz"' in line
        ):
            total += float(line.rsplit(" ", 1)[1])
    return total


def _spread_over_both(api: ApiService) -> None:
    wait_until(lambda: len(_workers(api)) == 2, 30, "two workers")
    wait_until(
        lambda: all(sockets_on(pid, api.port, "0A") for pid in _workers(api)),
        60,
        "both workers listening",
    )


def test_metrics_sum_every_worker_and_no_server_header(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    api = fleet(sqlite_url).api("--workers", "2")
    _spread_over_both(api)
    for _ in range(CONNECTIONS):  # a new connection each: the kernel spreads them by hash
        answer = httpx.get(f"{api.url}/healthz", timeout=10)
        assert answer.status_code == 200 and "server" not in answer.headers
    # Whichever worker answers a scrape, it counts both (one worker alone saw about half;
    # the start-up probe adds a request or two).
    counts = {_healthz_count(httpx.get(f"{api.url}/metrics", timeout=10).text) for _ in range(6)}
    assert len(counts) == 1 and CONNECTIONS <= counts.pop() <= CONNECTIONS + 5, counts


def test_metrics_and_docs_move_to_the_internal_port(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    internal = free_port()
    api = fleet(sqlite_url).api("--workers", "2", REDRESS_METRICS_PORT=str(internal))
    _spread_over_both(api)
    for path in ("/metrics", "/docs", "/openapi.json", "/redoc"):
        assert httpx.get(f"{api.url}{path}", timeout=10).status_code == 404, path
    for _ in range(CONNECTIONS):
        assert httpx.get(f"{api.url}/healthz", timeout=10).status_code == 200
    inside = f"http://127.0.0.1:{internal}"
    assert _healthz_count(httpx.get(f"{inside}/metrics", timeout=10).text) >= CONNECTIONS
    assert httpx.get(f"{inside}/docs", timeout=10).status_code == 200
    schema = httpx.get(f"{inside}/openapi.json", timeout=10).json()
    assert "/v1/cases" in schema["paths"]
    assert "server" not in httpx.get(f"{inside}/healthz", timeout=10).headers
