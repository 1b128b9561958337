"""Filing cases and reading them: state, point-in-time state, history, chain verification."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import Actor, By
from domain.explain import DeadlineUnknown
from domain.filing import Order
from domain.languages import is_language_tag
from domain.statuses import Resolution
from services.application import NewCase
from services.case_api.case_list import list_cases
from services.case_api.deps import (
    CurrentPrincipal,
    Svc,
    case_response,
    json_response,
    parse_case_id,
    require_role,
    require_scope,
    scoped_case,
    versioned_response,
)
from services.case_api.idempotency import remembered
from services.case_api.problems import Problem, forbidden
from services.case_api.routes import problems
from services.case_api.schemas import (
    CaseCreate,
    CaseList,
    CasePublic,
    DeadlineExplanation,
    History,
    Identifier,
    Verification,
    parse_instant,
)
from services.case_api.settings import ApiSettings
from services.case_view import with_display

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CasePublic, responses=problems(403, 409, 422))
async def submit_case(body: CaseCreate, principal: CurrentPrincipal, svc: Svc) -> Response:
    """File a case (consumer), or import an open case from an earlier system (staff)."""
    require_role(principal, "consumer", "staff")
    now = svc.clock()
    if principal.role == "consumer":
        if body.consumer_id is not None or body.submitted_at is not None:
            raise forbidden("consumer_id and submitted_at are for staff imports only")
        consumer_id, by = principal.subject, By.at(principal.actor, now)
    else:
        if body.consumer_id is None:
            raise Problem(
                422,
                "Invalid Request",
                "a staff import names the consumer_id",
                slug="validation",
                errors=[{"field": "consumer_id", "message": "required for staff"}],
            )
        consumer_id = body.consumer_id
        occurred = body.submitted_at or now
        _check_import_time(occurred, now, ApiSettings.of(svc.settings).import_horizon_days)
        by = By(Actor("staff", principal.subject), occurred, now)
    order = Order(
        body.order.reference,
        Decimal(body.order.amount),
        body.order.currency,
        body.order.completed_at,
        body.order.delivered_at,
        body.order.warehouse_arrived_at,
        body.order.registered_at,
    )
    new = NewCase(
        platform=body.platform,
        store_id=body.store_id,
        consumer_id=consumer_id,
        kind=body.kind,
        order=order,
        description=body.description,
        language=body.language,
        fields=body.platform_fields(),
    )
    state = await run_in_threadpool(
        svc.redress.submit_case, by, new, lambda s: remembered(case_response(s, 201))
    )
    response = case_response(state, 201)
    svc.case_reads.filed(state, bytes(response.body))
    return response


def _check_import_time(submitted_at: datetime, now: datetime, horizon_days: int) -> None:
    """An import is an open case from an earlier system: not from the future, and not older
    than the horizon (an ancient submitted_at would fire years of deadlines at once)."""
    problem = None
    if submitted_at > now:
        problem = "must not be in the future"
    elif submitted_at < now - timedelta(days=horizon_days):
        problem = f"must be within {horizon_days} days (REDRESS_IMPORT_HORIZON_DAYS)"
    if problem is not None:
        raise Problem(
            422,
            "Invalid Request",
            f"submitted_at {problem}",
            slug="validation",
            errors=[{"field": "submitted_at", "message": problem}],
        )


@router.get("", response_model=CaseList, responses=problems(403, 422))
async def list_cases_route(
    principal: CurrentPrincipal,
    svc: Svc,
    platform: Identifier | None = None,
    store_id: Identifier | None = None,
    status: Identifier | None = None,
    resolution: Annotated[
        Resolution | None, Query(description="how the case ended (ended cases only)")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    sort: Annotated[
        Literal["-created_at", "created_at", "-updated_at", "updated_at"],
        Query(description="a column, `-` for descending; the cursor belongs to one order"),
    ] = "-created_at",
) -> Response:
    """Cases in the caller's scope (newest first by default), with filters, sort and cursor."""
    require_role(principal, "staff", "ops", "store", "consumer")
    await run_in_threadpool(svc.refresh_case_list)
    page = await run_in_threadpool(
        svc.reads.run,
        lambda engine: list_cases(
            engine, principal, platform, store_id, status, limit, cursor, sort, resolution
        ),
    )
    return json_response(page)


@router.get("/{case_id}", response_model=CasePublic, responses=problems(404, 422))
async def get_case(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    at: Annotated[
        str | None,
        Query(
            max_length=64,
            description="an ISO 8601 instant with an offset, between 1970 and 2100",
            json_schema_extra={"format": "date-time"},
        ),
    ] = None,
    lang: Annotated[
        str | None,
        Query(max_length=64, description="add display_body in this language (BCP 47)"),
    ] = None,
    accept_language: Annotated[str | None, Header(max_length=1000)] = None,
) -> Response:
    """Current state from the event store, or as of `version` or `at` (recorded time);
    `?lang=` (or `Accept-Language`) adds each message's `display_body` in that language."""
    uuid = parse_case_id(case_id)
    # Scope first, from the current state: a case out of scope answers exactly as an unknown
    # id does, whatever the `at` (parsed only after, so no instant can tell them apart).
    current = await svc.case_reads.current(uuid)
    require_scope(principal, current.store_id, current.consumer_id, case_id)
    language = display_language(lang, accept_language)
    if version is None and at is None and language is None:
        return versioned_response(current.body, current.version)
    if version is not None and at is None and language is None:
        return versioned_response(*await svc.audit_reads.past_state(uuid, version))
    when = parse_instant("at", at) if at is not None else None
    state = await run_in_threadpool(lambda: svc.redress.get_case(uuid, version=version, at=when))
    return case_response(with_display(state, language) if language else state)


def display_language(lang: str | None, accept_language: str | None) -> str | None:
    """`?lang=` (checked: a 422 naming it), else the `Accept-Language` tag of highest
    weight that is well formed (`*` and malformed entries are passed over, as HTTP allows)."""
    if lang is not None:
        if not is_language_tag(lang):
            raise Problem(
                422,
                "Invalid Request",
                f"{lang!r} is not a BCP 47 language tag",
                slug="validation",
                errors=[{"field": "lang", "message": "a BCP 47 language tag, e.g. fr or de-CH"}],
            )
        return lang
    if not accept_language:
        return None
    weighted = []
    for position, part in enumerate(accept_language.split(",")):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if is_language_tag(tag.strip()) and weight > 0:
            weighted.append((-weight, position, tag.strip()))
    return min(weighted)[2] if weighted else None


@router.get("/{case_id}/history", response_model=History, responses=problems(404))
async def history(case_id: str, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Every event of the case, with its hash and the previous hash."""
    uuid = parse_case_id(case_id)
    parties, body = await svc.audit_reads.history(uuid)
    require_scope(principal, *parties, case_id)
    return Response(body, media_type="application/json")


@router.get(
    "/{case_id}/deadlines/{deadline_id}/explain",
    response_model=DeadlineExplanation,
    responses=problems(404, 422),
)
async def explain_deadline(
    case_id: str,
    deadline_id: Annotated[str, Path(max_length=100, pattern=r"^[a-z][a-z0-9_]*-[0-9]+$")],
    principal: CurrentPrincipal,
    svc: Svc,
    version: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Why a deadline (pending or past) is due when it is: the policy row, the start, the
    budget, and each stretch of time counted or not, with the calendar's reason."""
    uuid = parse_case_id(case_id)
    try:
        parties, explanation = await run_in_threadpool(
            lambda: svc.redress.explain_deadline(uuid, deadline_id, version=version)
        )
    except DeadlineUnknown:
        parties, _history = await run_in_threadpool(svc.redress.history_with_parties, uuid)
        require_scope(principal, *parties, case_id)
        raise Problem(
            404, "Not Found", f"case {case_id} has no deadline {deadline_id}", slug="not-found"
        ) from None
    require_scope(principal, *parties, case_id)
    return json_response(explanation)


@router.get("/{case_id}/verify", response_model=Verification, responses=problems(403, 404))
async def verify(case_id: str, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Recompute the case's hash chain (staff)."""
    uuid = await scoped_case(svc, principal, case_id)
    require_role(principal, "staff")
    return json_response(await run_in_threadpool(svc.redress.verify, uuid))
