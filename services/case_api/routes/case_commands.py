"""Commands on an existing case, registered from one table (services.case_api.case_commands).
Each answers 200 with the updated case and its ETag."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import By
from domain.case import Case
from domain.errors import DomainError
from services.application import VersionMismatch
from services.case_api.auth import Principal
from services.case_api.case_commands import COMMANDS, CaseCommand
from services.case_api.deps import (
    CurrentPrincipal,
    Services,
    Svc,
    case_response,
    parse_case_id,
    parse_if_match,
    require_role,
    require_scope,
)
from services.case_api.idempotency import remembered
from services.case_api.routes import problems
from services.case_api.schemas import CasePublic
from services.observability import COMMANDS as COMMAND_COUNTS

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["case commands"])
IfMatch = Annotated[str | None, Header(description='the ETag you read, e.g. "3"')]


async def run(
    svc: Services,
    principal: Principal,
    case_id: str,
    if_match: str | None,
    command: CaseCommand,
    body: Any,
) -> Response:
    """Scope (404) → role (403) → the domain command, queued behind this process's other
    commands on the case (services.case_api.case_locks) and retried on another's writes."""
    uuid = parse_case_id(case_id)
    expected = parse_if_match(if_match)

    def authorize(case: Case) -> None:
        require_scope(principal, case.store_id, case.consumer_id, case_id)
        require_role(principal, *command.roles)

    by = By.at(principal.actor, svc.clock())
    rates = svc.redress.rates
    try:
        async with svc.case_locks.holding(uuid):
            state = await run_in_threadpool(
                svc.redress.act,
                uuid,
                by,
                lambda case, policy: command.act(case, policy, by, body, rates),
                expected_version=expected,
                authorize=authorize,
                answer=lambda state: remembered(case_response(state)),
            )
    except DomainError as refusal:
        COMMAND_COUNTS.labels(command.metric, refusal.rule).inc()
        raise
    except VersionMismatch:
        COMMAND_COUNTS.labels(command.metric, "stale").inc()
        raise
    COMMAND_COUNTS.labels(command.metric, "ok").inc()
    return case_response(state)


def endpoint(command: CaseCommand) -> Callable[..., Awaitable[Response]]:
    """The route function FastAPI reads: its signature declares the path parameter, the body
    (optional for some commands), the caller, the services and If-Match."""

    async def send(
        case_id: str, body: Any, principal: Principal, svc: Services, if_match: str | None
    ) -> Response:
        if command.precheck is not None:
            command.precheck(body, principal)
        return await run(svc, principal, case_id, if_match, command, body)

    def param(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> Any:
        return inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, annotation=annotation, default=default
        )

    body = (
        param("body", command.body | None, None)
        if command.body_optional
        else param("body", command.body)
    )
    send.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            param("case_id", str),
            body,
            param("principal", CurrentPrincipal),
            param("svc", Svc),
            param("if_match", IfMatch, None),
        ],
        return_annotation=Response,
    )
    send.__name__ = send.__qualname__ = command.name
    send.__doc__ = command.doc
    return send


for _command in COMMANDS:
    router.add_api_route(
        _command.path,
        endpoint(_command),
        methods=["POST"],
        name=_command.name,
        response_model=CasePublic,
        responses=problems(403, 404, 409, 412, 422),
    )
