"""The dashboard's detail pages for staff and ops: a case's timeline, a store's record, and
the search box that leads to them. Same sign-in, CSP and vendored assets as /dashboard."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Connection

from projections.queries import STORE_READ_MODELS, position
from services.application import CaseNotFound, StoreNotFound
from services.case_api import store_page, timeline
from services.case_api.deps import Svc
from services.case_api.routes.dashboard import (
    FORMATS,
    HEADERS,
    RESOLUTIONS,
    SessionId,
    refusal,
    sign_in,
    templates,
)
from services.case_api.routes.stats import fresh

router = APIRouter(include_in_schema=False)


def _missing(request: Request, what: str) -> Response:
    return templates.TemplateResponse(
        request, "missing.html", {"what": what}, status_code=404, headers=HEADERS
    )


@router.get("/dashboard/cases/{case_id}", response_class=HTMLResponse)
async def case_page(
    request: Request,
    svc: Svc,
    case_id: str,
    version: Annotated[int | None, Query(ge=1)] = None,
    token: str | None = None,
    cookie: SessionId = None,
) -> Response:
    """A case's timeline: events, chain check, deadlines, state as of `version`, refunds."""
    if token is not None:
        return await sign_in(request, svc, token, request.url.path)
    if (refused := await refusal(request, svc, cookie)) is not None:
        return refused
    try:
        uuid = UUID(case_id[:80])
    except ValueError:
        return _missing(request, f"case {case_id[:80]}")
    try:
        page = await run_in_threadpool(timeline.view, svc.redress, uuid, version)
    except CaseNotFound:
        return _missing(request, f"case {uuid}")
    context = {
        **page,
        "resolutions": RESOLUTIONS,
        "f": FORMATS,
        "when": timeline.when,
        "show": timeline.show,
        "who": timeline.who,
    }
    return templates.TemplateResponse(request, "case.html", context, headers=HEADERS)


@router.get("/dashboard/search")
async def search(
    request: Request,
    svc: Svc,
    q: Annotated[str, Query(max_length=200)] = "",
    cookie: SessionId = None,
) -> Response:
    """A case id or store id leads to its page; anything else lists the matching cases."""
    if (refused := await refusal(request, svc, cookie)) is not None:
        return refused
    found = await run_in_threadpool(timeline.search, svc, q.strip())
    if len(found["cases"]) == 1 and not found["stores"]:
        return RedirectResponse(f"/dashboard/cases/{found['cases'][0]['case_id']}", 303)
    if len(found["stores"]) == 1 and not found["cases"]:
        return RedirectResponse(f"/dashboard/stores/{found['stores'][0]}", 303)
    return templates.TemplateResponse(request, "search.html", {**found, "q": q}, headers=HEADERS)


@router.get("/dashboard/stores/{store_id}", response_class=HTMLResponse)
async def store_record(
    request: Request, svc: Svc, store_id: str, token: str | None = None, cookie: SessionId = None
) -> Response:
    """A store: certificate history, open cases by status, first-response trend."""
    if token is not None:
        return await sign_in(request, svc, token, request.url.path)
    if (refused := await refusal(request, svc, cookie)) is not None:
        return refused
    try:
        store = await run_in_threadpool(svc.redress.get_store, store_id)
        history = await run_in_threadpool(store_page.certificate_history, svc.redress, store_id)
    except StoreNotFound:
        return _missing(request, f"store {store_id[:200]}")
    now = svc.clock()

    def read(connection: Connection) -> dict[str, Any]:
        return {
            **store_page.open_cases(connection, store_id),
            "trend": store_page.response_trend(connection, store_id, now),
            "position": position(connection, STORE_READ_MODELS),
        }

    figures = await run_in_threadpool(fresh, svc, read)
    context = {**figures, "store": store, "history": history, "when": timeline.when}
    context["show"] = timeline.show
    return templates.TemplateResponse(request, "store.html", context, headers=HEADERS)
