"""RFC 9457 problem+json: every error the API gives, and the handlers that produce them."""

from __future__ import annotations

import logging
import re
from contextvars import ContextVar
from typing import Any

import psycopg
import psycopg_pool
from eventsourcing.persistence import IntegrityError, InterfaceError, OperationalError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from domain.errors import DomainError, InvalidField
from services.application import CaseNotFound, StoreExists, StoreNotFound, VersionMismatch

log = logging.getLogger(__name__)
PROBLEM_JSON = "application/problem+json"
# Errors that mean "the database cannot be reached or is overloaded", from every driver layer:
# the client gets a quick 503 rather than a hang or a 500.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (
    OperationalError,
    InterfaceError,
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.TimeoutError,
    psycopg.OperationalError,
    psycopg_pool.PoolTimeout,
    ConnectionError,
)
# SQLSTATE classes that mean the same from a driver error SQLAlchemy could not classify
# (asyncpg's "the database system is starting up" arrives as a bare DBAPIError): connection
# exception, insufficient resources (too many connections), operator intervention (shutdown).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "53", "57")
# Where problem `type` URIs point: the error catalogue on this API (services.case_api.catalogue),
# absolute on the request's own host unless REDRESS_PUBLIC_URL names the public address.
# ProblemTypeBase sets it per request; outside a request (scripts, tests) it is this default.
DEFAULT_PUBLIC_URL = "http://localhost"
_public_url: ContextVar[str] = ContextVar("problem_public_url", default=DEFAULT_PUBLIC_URL)
_HOST = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def type_uri(slug: str) -> str:
    return f"{_public_url.get()}/problems/{slug}"


def request_base(scope: Scope) -> str:
    """`scheme://host` the client used; a malformed Host header falls back to the default."""
    host = next((v.decode("latin-1") for k, v in scope["headers"] if k == b"host"), "")
    if not _HOST.match(host):
        return DEFAULT_PUBLIC_URL
    return f"{scope.get('scheme', 'http')}://{host}"


class ProblemTypeBase:
    """Sets the base of problem `type` URIs for the request it wraps (outside every middleware
    that may answer with a problem)."""

    def __init__(self, app: ASGIApp, public_url: str | None) -> None:
        self.app = app
        self.public_url = public_url.rstrip("/") if public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            _public_url.set(self.public_url or request_base(scope))
        await self.app(scope, receive, send)


class Problem(Exception):
    """An error answer; raise it anywhere in a route."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        *,
        slug: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.slug = slug or title.lower().replace(" ", "-")
        self.headers = headers or {}
        self.extra = extra


def invalid(detail: str, errors: list[dict[str, Any]]) -> Problem:
    """The 422 for a request whose fields are at fault: `errors` names each one (its `field`
    and `message`), as FastAPI's own validation answers do."""
    return Problem(422, "Invalid Request", detail, slug="validation", errors=errors)


def problem_response(problem: Problem) -> JSONResponse:
    body = {
        "type": type_uri(problem.slug),
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        **problem.extra,
    }
    return JSONResponse(
        body, status_code=problem.status, media_type=PROBLEM_JSON, headers=problem.headers
    )


# The framework's own HTTP errors: their titles and catalogue slugs.
HTTP_PROBLEMS = {
    400: ("Bad Request", "bad-request"),
    401: ("Unauthorized", "unauthorized"),
    404: ("Not Found", "not-found"),
    405: ("Method Not Allowed", "method-not-allowed"),
}


def not_found(what: str) -> Problem:
    return Problem(404, "Not Found", f"{what} was not found", slug="not-found")


def forbidden(detail: str) -> Problem:
    return Problem(403, "Forbidden", detail, slug="forbidden")


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    errors = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p != "body"]
        errors.append(
            {
                "field": ".".join(loc) or "body",
                "message": err.get("msg", "invalid"),
                "type": err.get("type", "invalid"),
            }
        )
    return errors


def install(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(_: Request, exc: Problem) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        fields = ", ".join(e["field"] for e in errors)
        return problem_response(invalid(f"invalid fields: {fields}", errors))

    @app.exception_handler(InvalidField)
    async def _invalid_field(_: Request, exc: InvalidField) -> JSONResponse:
        errors = [{"field": exc.field, "message": exc.detail, "type": exc.rule}]
        return problem_response(invalid(exc.detail, errors))

    @app.exception_handler(DomainError)
    async def _refused(_: Request, exc: DomainError) -> JSONResponse:
        return problem_response(
            Problem(422, "Rule Broken", exc.detail, slug=exc.rule, rule=exc.rule)
        )

    @app.exception_handler(CaseNotFound)
    async def _no_case(_: Request, exc: CaseNotFound) -> JSONResponse:
        return problem_response(not_found(f"case {exc.case_id}"))

    @app.exception_handler(StoreNotFound)
    async def _no_store(_: Request, exc: StoreNotFound) -> JSONResponse:
        return problem_response(not_found(f"store {exc.store_id}"))

    @app.exception_handler(StoreExists)
    async def _store_exists(_: Request, exc: StoreExists) -> JSONResponse:
        return problem_response(
            Problem(409, "Conflict", f"store {exc} is already registered", slug="store-exists")
        )

    @app.exception_handler(VersionMismatch)
    async def _stale(_: Request, exc: VersionMismatch) -> JSONResponse:
        return problem_response(
            Problem(
                412,
                "Precondition Failed",
                str(exc),
                slug="stale-version",
                current_version=exc.actual,
            )
        )

    @app.exception_handler(IntegrityError)
    async def _conflict(_: Request, exc: IntegrityError) -> JSONResponse:
        return problem_response(
            Problem(
                409,
                "Conflict",
                "the case changed concurrently too often; retry the request",
                slug="conflict",
            )
        )

    async def _unavailable(_: Request, exc: Exception) -> JSONResponse:
        log.error("database unavailable: %s: %s", type(exc).__name__, exc)
        return problem_response(
            Problem(
                503,
                "Service Unavailable",
                "the database is not reachable right now; retry shortly",
                slug="unavailable",
                headers={"Retry-After": "2"},
            )
        )

    for unavailable in DATABASE_UNAVAILABLE:
        app.add_exception_handler(unavailable, _unavailable)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        title, slug = HTTP_PROBLEMS.get(exc.status_code, ("Error", "http-error"))
        detail = str(exc.detail)
        if exc.status_code == 400:  # FastAPI could not decode the body at all
            detail = "the request body is not parseable JSON in UTF-8 (or nests too deeply)"
        return problem_response(
            Problem(exc.status_code, title, detail, slug=slug, headers=dict(exc.headers or {}))
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return problem_response(
            Problem(
                500,
                "Internal Server Error",
                "an unexpected error occurred; it has been logged",
                slug="internal",
            )
        )

    @app.exception_handler(sa_exc.DBAPIError)
    async def _driver_error(request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        sqlstate = getattr(exc.orig, "sqlstate", None) or ""
        # `connection_invalidated`: SQLAlchemy recognised the error as the connection lost
        # (the server restarted under a connection in use), whatever the driver called it.
        if sqlstate[:2] in UNAVAILABLE_SQLSTATE_CLASSES or exc.connection_invalidated:
            return await _unavailable(request, exc)
        return await _unexpected(request, exc)
