"""Request-scoped dependencies: the caller, the services, scope checks and JSON answers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

import orjson
from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from sqlalchemy import Engine
from sqlalchemy.ext.asyncio import AsyncEngine

from services.application import CaseNotFound, Redress
from services.case_api.audit_reads import AuditReads
from services.case_api.auth import KeyStore, Principal
from services.case_api.case_locks import CaseLocks
from services.case_api.case_reads import CaseReads
from services.case_api.problems import Problem, forbidden
from services.case_api.rate_limit import FailureThrottle, RateLimiter
from services.case_visibility import may_see_case
from services.read_replica import ReadReplica
from services.settings import Settings


@dataclass
class Services:
    settings: Settings
    redress: Redress
    keys: KeyStore
    engine: AsyncEngine
    sync_engine: Engine
    clock: Callable[[], datetime]
    limiter: RateLimiter
    auth_failures: FailureThrottle
    refresh_case_list: Callable[[], int]
    case_reads: CaseReads
    audit_reads: AuditReads  # history and past states of a case (services.case_api.audit_reads)
    reads: ReadReplica  # case lists, stats, dashboard, feed, delivery logs (services.read_replica)
    case_locks: CaseLocks = field(default_factory=CaseLocks)


async def get_services(request: Request) -> Services:
    # async on purpose: FastAPI runs a plain `def` dependency on the thread pool, a hop per call.
    services: Services = request.app.state.services
    return services


Svc = Annotated[Services, Depends(get_services)]


PRINCIPAL = "redress.principal"  # scope["state"] key: the caller, once authenticated


async def get_principal(request: Request) -> Principal:
    # The header is read here rather than declared as a parameter: FastAPI validates declared
    # parameters on every request. OpenAPI documents the scheme (services.case_api.app).
    svc: Services = request.app.state.services
    principal: Principal | None = request.scope.get("state", {}).get(PRINCIPAL)  # see idempotency
    if principal is None:
        principal = await key_holder(
            svc, request.headers.get("authorization"), client_address(request.scope)
        )
    if principal is None:
        raise Problem(
            401,
            "Unauthorized",
            "a valid bearer token is required",
            slug="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    if (wait := svc.limiter.retry_after(principal.key_id)) is not None:
        raise Problem(
            429,
            "Too Many Requests",
            f"this key is over its rate limit; retry in {wait} s",
            slug="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    return principal


def client_address(scope: Any) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "unknown"


async def key_holder(
    svc: Services, authorization: str | None, address: str, *, count_failure: bool = True
) -> Principal | None:
    """Whose key a bearer `Authorization` header carries, if it is a valid key. An address
    that failed too often lately gets 429 without its token being looked up; `count_failure`
    is off for a caller that hands a failure on to the route (which counts it)."""
    if (wait := svc.auth_failures.retry_after(address)) is not None:
        raise Problem(
            429,
            "Too Many Requests",
            f"too many failed authentications from this address; retry in {wait} s",
            slug="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    principal = None
    if authorization and authorization.lower().startswith("bearer "):
        principal = await svc.keys.authenticate(authorization[7:].strip())
    if principal is None and count_failure:
        svc.auth_failures.failed(address)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_role(principal: Principal, *roles: str) -> None:
    if principal.role not in roles:
        raise forbidden(
            f"this needs one of the roles {', '.join(roles)}; the key's role is {principal.role}"
        )


def in_scope(principal: Principal, store_id: str, consumer_id: str) -> bool:
    """The rule the feed and webhooks share (services.case_visibility)."""
    return may_see_case(
        principal.role, principal.subject, principal.store_ids, store_id, consumer_id
    )


def parse_case_id(case_id: str) -> UUID:
    try:
        return UUID(case_id)
    except ValueError:
        raise CaseNotFound(case_id[:100]) from None


def require_scope(principal: Principal, store_id: str, consumer_id: str, case_id: str) -> None:
    if not in_scope(principal, store_id, consumer_id):
        raise CaseNotFound(case_id)


async def scoped_case(svc: Services, principal: Principal, case_id: str) -> UUID:
    """The case's id if the caller may see it; otherwise 404, so ids leak nothing."""
    uuid = parse_case_id(case_id)
    _platform, store_id, consumer_id = await run_in_threadpool(svc.redress.case_header, uuid)
    if not in_scope(principal, store_id, consumer_id):
        raise CaseNotFound(case_id)
    return uuid


MAX_VERSION = 2**31 - 1
_ETAG = re.compile(r'"?([0-9]{1,10})"?')


def parse_if_match(value: str | None) -> int | None:
    """The version a strong ETag names (`"3"`); a weak (`W/`) or unknown one fails (412)."""
    if value is None or value.strip() == "*":
        return None
    matched = _ETAG.fullmatch(value.strip())
    if matched is None or int(matched.group(1)) > MAX_VERSION:
        raise Problem(
            412,
            "Precondition Failed",
            'If-Match must be a strong ETag this API gave out, such as "3"',
            slug="stale-version",
        )
    return int(matched.group(1))


def encode(body: Any) -> bytes:
    return orjson.dumps(body, default=_default)


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(type(value).__name__)


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        encode(body),
        status_code=status,
        media_type="application/json",
        headers=headers,
    )


def case_response(state: dict[str, Any], status: int = 200) -> Response:
    location = {"Location": f"/v1/cases/{state['id']}"} if status == 201 else {}
    return versioned_response(encode(state), state["version"], status, location)


def versioned_response(
    body: bytes, version: int, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A case's JSON with its version as the ETag, which If-Match takes back."""
    return Response(
        body,
        status_code=status,
        media_type="application/json",
        headers={"ETag": f'"{version}"', **(headers or {})},
    )
