"""The internal port (`REDRESS_METRICS_PORT`): `/metrics`, `/healthz` and, for the API, `/docs`.

Every process can serve it: the API (then `/metrics`, `/docs` and `/openapi.json` leave the
public port), the supervisor of `redress api --workers N` (once, for all its workers), and each
background role (its probes and its metrics). Under `--workers N` each worker writes its
metrics to files in a shared directory (prometheus_client's multiprocess mode) and every
`/metrics`, wherever served, sums them all.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)

MULTIPROCESS_DIR = "PROMETHEUS_MULTIPROC_DIR"  # prometheus_client's own variable


def exposition() -> bytes:
    """This process's metrics, or every worker's summed when they share a directory."""
    if os.environ.get(MULTIPROCESS_DIR):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def metrics_response() -> Response:
    return Response(exposition(), media_type=CONTENT_TYPE_LATEST)


def shared_metrics_directory() -> Path:
    """Set up (empty) the directory workers write their metrics to; children inherit it."""
    given = os.environ.get(MULTIPROCESS_DIR)
    directory = Path(given) if given else Path(tempfile.mkdtemp(prefix="redress-metrics-"))
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):  # a previous run's counts must not be added in
        stale.unlink()
    os.environ[MULTIPROCESS_DIR] = str(directory)
    return directory


def worker_gone(pid: int) -> None:
    """Forget a dead worker's live gauges (its counters stay in the sums)."""
    if os.environ.get(MULTIPROCESS_DIR):
        multiprocess.mark_process_dead(pid)  # type: ignore[no-untyped-call]


def remove_metrics_directory(directory: Path, made_here: bool) -> None:
    if made_here:
        shutil.rmtree(directory, ignore_errors=True)


def internal_app(
    openapi: Callable[[], dict[str, Any]] | None = None,
    before_scrape: Callable[[], Awaitable[None]] | None = None,
) -> FastAPI:
    """`/metrics` and `/healthz`; with `openapi`, also the API's `/docs` and schema."""
    app = FastAPI(title="Redress (internal)", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/metrics")
    async def metrics() -> Response:
        if before_scrape is not None:
            await before_scrape()
        return metrics_response()

    @app.get("/healthz")
    async def healthz() -> Response:
        return JSONResponse({"status": "ok"})

    if openapi is not None:
        schema: dict[str, Any] = {}

        @app.get("/openapi.json")
        async def openapi_json() -> Response:
            if not schema:
                schema.update(openapi())
            return JSONResponse(schema)

        @app.get("/docs")
        async def docs() -> Response:
            return get_swagger_ui_html(openapi_url="/openapi.json", title="Redress API")

    return app


class ThreadedServer(uvicorn.Server):
    """A uvicorn server run by `serve_in_thread`, with the thread that runs it."""

    thread: threading.Thread

    def stop(self, timeout: float = 5.0) -> None:
        """Stop serving and wait for the thread to end. A daemon thread still running its event
        loop while the interpreter shuts down could crash the process at exit (a role's
        process was seen to end on SIGSEGV after SIGTERM, its internal port still served)."""
        self.should_exit = True
        self.thread.join(timeout)


def serve_in_thread(app: FastAPI, host: str, port: int) -> ThreadedServer:
    """Serve `app` from a daemon thread; `stop()` the answer to end it."""
    server = ThreadedServer(
        uvicorn.Config(
            app, host=host, port=port, log_config=None, server_header=False, lifespan="off"
        )
    )
    thread = server.thread = threading.Thread(
        target=server.run, name=f"internal:{port}", daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.02)
    if not server.started:
        raise SystemExit(f"the internal port {port} could not be served (in use?)")
    return server
