"""Filing cases and reading them: state, point-in-time state, history, chain verification."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Header, Path, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.explain import DeadlineUnknown
from domain.languages import is_language_tag
from domain.statuses import Resolution
from services.case_api.case_filing import file_case
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
from services.case_api.problems import Problem, invalid
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
from services.case_view import with_display

router = APIRouter(prefix="/v1/cases", tags=["cases"])


@router.post("", status_code=201, response_model=CasePublic, responses=problems(403, 409, 422))
async def submit_case(body: CaseCreate, principal: CurrentPrincipal, svc: Svc) -> Response:
    """File a case (consumer), or import an open case from an earlier system (staff)."""
    return await file_case(body, principal, svc)


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
            raise invalid(
                f"{lang!r} is not a BCP 47 language tag",
                [{"field": "lang", "message": "a BCP 47 language tag, e.g. fr or de-CH"}],
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
