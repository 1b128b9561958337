"""REDRESS_METRICS_PORT: the internal port of every process (its probes, its metrics, and the
API's docs), which then leave the public port; no answer names the server software."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from support.postgres import free_port
from support.processes import Fleet, wait_until


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def test_one_api_process_moves_metrics_and_docs_inside(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    internal = free_port()
    api = fleet(sqlite_url).api(REDRESS_METRICS_PORT=str(internal))
    public = httpx.get(f"{api.url}/healthz", timeout=10)
    assert public.status_code == 200 and "server" not in public.headers
    for path in ("/metrics", "/docs", "/openapi.json"):
        assert httpx.get(f"{api.url}{path}", timeout=10).status_code == 404, path
    inside = f"http://127.0.0.1:{internal}"
    metrics = httpx.get(f"{inside}/metrics", timeout=10).text
    assert 'redress_http_request_duration_seconds_count{method="GET",route="/healthz"' in metrics
    assert "redress_projection_lag_events" in metrics
    assert "swagger" in httpx.get(f"{inside}/docs", timeout=10).text.lower()
    assert "/v1/cases/{case_id}" in httpx.get(f"{inside}/openapi.json", timeout=10).json()["paths"]


def test_a_background_role_answers_probes_and_scrapes(
    sqlite_url: str, fleet: Callable[..., Fleet]
) -> None:
    internal = free_port()
    running = fleet(sqlite_url)
    scheduler = running.start("scheduler", REDRESS_METRICS_PORT=str(internal))
    inside = f"http://127.0.0.1:{internal}"
    wait_until(lambda: _answers(f"{inside}/healthz"), 60, "the scheduler's internal port")
    metrics = httpx.get(f"{inside}/metrics", timeout=10)
    assert "redress_scheduler_pending_deadlines" in metrics.text
    assert "server" not in metrics.headers
    assert running.stop() == {scheduler.name: 0}
