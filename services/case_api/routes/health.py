"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from sqlalchemy import text

from services.case_api.deps import Svc, json_response
from services.case_api.problems import Problem
from services.case_api.routes import problems

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> Response:
    """The process is alive."""
    return json_response({"status": "ok"})


@router.get("/readyz", responses=problems())
async def readyz(svc: Svc) -> Response:
    """The database answers."""
    try:
        async with svc.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error: not ready
        raise Problem(
            503,
            "Service Unavailable",
            f"database unreachable ({type(exc).__name__})",
            slug="unavailable",
            headers={"Retry-After": "2"},
        ) from None
    return json_response({"status": "ready"})


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus metrics of this process."""
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
