"""Liveness and readiness."""

from __future__ import annotations

import contextlib

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from prometheus_client import Gauge
from sqlalchemy import text

from projections import parking
from projections.queries import position
from projections.registry import NAMES
from projections.tracking import head
from services.case_api.deps import Services, Svc, json_response
from services.case_api.problems import Problem
from services.case_api.routes import problems
from services.case_api.settings import ApiSettings
from services.internal_http import metrics_response

router = APIRouter(tags=["health"])
PROJECTION_LAG = Gauge(
    "redress_projection_lag_events",
    "Events in the log not yet applied by every read model",
    multiprocess_mode="livemostrecent",  # under --workers N: the latest any worker measured
)


@router.get("/healthz")
async def healthz() -> Response:
    """The process is alive."""
    return json_response({"status": "ok"})


def projection_lag(svc: Services) -> int:
    """Events in the log that some read model has not applied yet."""
    with svc.sync_engine.connect() as connection:
        applied = position(connection, NAMES)
    lag = max(0, head(svc.redress) - applied)
    PROJECTION_LAG.set(lag)
    return lag


def parked_events(svc: Services) -> int:
    """Events a read model could not take (projections.parking)."""
    with svc.sync_engine.connect() as connection:
        return parking.count(connection)


@router.get("/readyz", responses=problems())
async def readyz(svc: Svc) -> Response:
    """The database answers, and the read models are not too far behind the log; with a read
    replica, which server serves the replica-tolerant reads, its lag, and why if the primary.
    Ready but `degraded` while a read model has parked events it could not take."""
    try:
        async with svc.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        lag = await run_in_threadpool(projection_lag, svc)
        parked = await run_in_threadpool(parked_events, svc)
    except Exception as exc:  # any driver error: not ready
        raise Problem(
            503,
            "Service Unavailable",
            f"database unreachable ({type(exc).__name__})",
            slug="unavailable",
            headers={"Retry-After": "2"},
        ) from None
    limit = ApiSettings.of(svc.settings).ready_max_projection_lag
    if limit and lag > limit:
        raise Problem(
            503,
            "Service Unavailable",
            f"the read models are {lag} events behind "
            f"the log (limit {limit}); is a projector running?",
            slug="lagging",
            headers={"Retry-After": "5"},
            projection_lag=lag,
        )
    body: dict[str, object] = {
        "status": "degraded" if parked else "ready",
        "database": "ok",
        "projection_lag": lag,
        "parked_events": parked,
    }
    if svc.reads.configured:  # a replica away or behind is no reason to stop serving
        body["reads"] = svc.reads.state().view(svc.reads.max_lag)
    return json_response(body)


async def refresh_lag(svc: Services) -> None:
    """Measure the lag for a scrape; best effort, the other metrics still answer."""
    with contextlib.suppress(Exception):
        await run_in_threadpool(projection_lag, svc)


@router.get("/metrics", response_class=Response)
async def metrics(svc: Svc) -> Response:
    """Prometheus metrics (every worker's, summed), unless they moved to the internal port."""
    if svc.settings.metrics_port is not None:
        raise Problem(404, "Not Found", "served on the internal port", slug="not-found")
    await refresh_lag(svc)
    svc.reads.state()  # the replica's gauges: looked up again (in the background) if stale
    return metrics_response()
