"""The API process's composition root."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from functools import partial
from importlib.metadata import version as package_version
from typing import Any

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from projections import case_list
from projections.tracking import catch_up
from services.bootstrap import open_redress
from services.case_api import openapi_examples, problems
from services.case_api.audit_reads import AuditReads
from services.case_api.auth import KeyStore
from services.case_api.case_list_reads import CaseListReads
from services.case_api.case_reads import CaseReads
from services.case_api.contract import document_problems
from services.case_api.deps import Services, encode
from services.case_api.filing_hot_path import CaseFilingHotPath
from services.case_api.hot_path import CaseReadHotPath
from services.case_api.idempotency import RequestBodies
from services.case_api.rate_limit import FailureThrottle, RateLimiter
from services.case_api.revocations import revocations_for
from services.case_api.routes import (
    api_keys,
    audit,
    case_commands,
    cases,
    catalogue,
    dashboard,
    dashboard_pages,
    events,
    health,
    platforms,
    policy_changes,
    stats,
    stores,
    subjects,
    webhooks,
)
from services.case_api.settings import ApiSettings
from services.case_api.strict_json import RefuseDuplicateKeys
from services.collector import freeze_startup
from services.db import async_engine, sync_engine
from services.eventstore.tables import events_table
from services.observability import RequestLog, configure_logging
from services.read_replica import read_replica
from services.scheduler.wakeup import IN_PROCESS
from services.settings import Settings


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_services(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Services:
    settings = ApiSettings.of(settings)
    redress = open_redress(settings)
    # In one process (`redress serve`), the scheduler hears of new deadlines at once.
    IN_PROCESS.watch(redress)
    engine = sync_engine(settings, redress.connection_pool)
    engine_async = async_engine(settings)
    case_reads = CaseReads(
        redress, encode, None if settings.is_sqlite else engine_async, settings.aggregate_cache_size
    )
    return Services(
        settings=settings,
        redress=redress,
        keys=KeyStore(engine_async, settings.admin_token, revocations_for(settings)),
        engine=engine_async,
        sync_engine=engine,
        clock=clock,
        limiter=RateLimiter(settings.rate_limit_per_second, settings.rate_limit_burst),
        auth_failures=FailureThrottle(
            settings.auth_failures_per_minute, settings.auth_failure_burst
        ),
        refresh_case_list=partial(
            catch_up, engine, redress, case_list.NAME, case_list.apply_events
        ),
        case_reads=case_reads,
        audit_reads=AuditReads(redress, case_reads, encode),
        reads=read_replica(settings, engine, engine_async),
    )


def create_app(
    settings: Settings | None = None,
    clock: Callable[[], datetime] = utc_now,
    services: Services | None = None,
) -> FastAPI:
    """Build the app; the database must already be migrated (see `redress migrate`)."""
    built = services or build_services(settings or Settings(), clock)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await built.reads.aclose()
        built.reads.close()
        await built.keys.close()
        await built.engine.dispose()
        built.sync_engine.dispose()
        built.redress.close()

    # With an internal port, /docs and the schema are served there only (services.internal).
    internal = built.settings.metrics_port is not None
    app = _routed(lifespan, public_docs=not internal)
    app.state.services = built
    app.add_middleware(CaseReadHotPath, services=built, lists=_list_reads(built))
    app.add_middleware(CaseFilingHotPath, services=built, handlers=app.exception_handlers)
    app.add_middleware(RefuseDuplicateKeys)  # inside RequestBodies: the body is read by then
    app.add_middleware(
        RequestBodies,
        services=built,
        engine=built.engine,
        clock=clock,
        max_body=ApiSettings.of(built.settings).max_body_bytes,
    )
    app.add_middleware(
        problems.ProblemTypeBase, public_url=ApiSettings.of(built.settings).public_url
    )
    app.add_middleware(RequestLog)  # outermost: ids and timings cover everything
    return app


def _list_reads(svc: Services) -> CaseListReads | None:
    """The list's reads in front of FastAPI: on PostgreSQL's primary (with a read replica, the
    route reads where services.read_replica sends it)."""
    if svc.settings.is_sqlite or svc.reads.configured:
        return None
    refresh = svc.refresh_case_list
    return CaseListReads(
        svc.engine, events_table(svc.redress), encode, lambda: run_in_threadpool(refresh)
    )


def _routed(lifespan: Any = None, *, public_docs: bool = True) -> FastAPI:
    """The API's routes and documented contract, without the services behind them."""
    hidden: dict[str, Any] = (
        {} if public_docs else {"docs_url": None, "redoc_url": None, "openapi_url": None}
    )
    app = FastAPI(
        title="Redress",
        version=package_version("redress"),
        lifespan=lifespan,
        description="Event-sourced case management for after-sales disputes. Errors are "
        "RFC 9457 problem+json; a refused business rule is 422 with `rule`.",
        **hidden,
    )
    _document_bearer_auth(app)
    openapi_examples.install(app)
    problems.install(app)
    # The case routes first: FastAPI tries the routers in this order, and they take the load.
    for module in (
        cases,
        case_commands,
        health,
        api_keys,
        stores,
        subjects,
        platforms,
        policy_changes,
        webhooks,
        events,
        stats,
        dashboard,
        dashboard_pages,
        catalogue,
        audit,
    ):
        app.include_router(module.router)
    return app


def api_schema() -> dict[str, Any]:
    """The OpenAPI document, for a process that serves no API itself (the internal port)."""
    return _routed().openapi()


def _document_bearer_auth(app: FastAPI) -> None:
    """Every /v1 operation takes a bearer key. Said in the schema, not as a FastAPI security
    dependency: a dependency costs every request its resolution (services.case_api.deps)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = generate()
            schema.setdefault("components", {})["securitySchemes"] = {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "an API key (`rdk_…`) or the admin token",
                }
            }
            for path, operations in schema["paths"].items():
                if path.startswith("/v1/"):
                    for operation in operations.values():
                        operation["security"] = [{"bearer": []}]
            document_problems(schema)
        return app.openapi_schema or {}

    app.openapi = openapi  # type: ignore[method-assign]


def worker_app() -> FastAPI:
    """The app in a worker process of `redress api --workers N` (settings from the env)."""
    settings = ApiSettings()
    configure_logging(settings.log_level)
    app = create_app(settings)
    freeze_startup()
    return app
