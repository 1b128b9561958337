"""The error catalogue: `/problems/{slug}` (a page per problem type) and `GET /v1/problems`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from services.case_api.catalogue import CATALOGUE, RULES
from services.case_api.deps import CurrentPrincipal, json_response
from services.case_api.problems import type_uri
from services.case_api.routes import problems
from services.case_api.routes.dashboard import HEADERS, templates

router = APIRouter()


def listing() -> list[dict[str, Any]]:
    return [entry.as_json(type_uri(entry.slug)) for entry in CATALOGUE.values()]


@router.get("/v1/problems", tags=["problems"], response_model=dict[str, Any], responses=problems())
async def problem_types(principal: CurrentPrincipal) -> Response:
    """Every problem `type` the API answers with: `{items: [{type, slug, title, status, when,
    instead, rule}]}`. `rule` is true for a refused business rule, whose body carries `rule`
    = `slug`. Each `type` is a page at `/problems/{slug}`."""
    return json_response({"items": listing()})


@router.get("/problems", response_class=HTMLResponse, include_in_schema=False)
async def catalogue_page(request: Request) -> Response:
    context = {"rules": RULES, "general": [e for e in CATALOGUE.values() if not e.rule]}
    return templates.TemplateResponse(request, "problems.html", context, headers=HEADERS)


@router.get("/problems/{slug}", response_class=HTMLResponse, include_in_schema=False)
async def problem_page(request: Request, slug: str) -> Response:
    entry = CATALOGUE.get(slug)
    status = 200 if entry else 404
    context = {"entry": entry, "slug": slug[:80], "type": type_uri(slug[:80])}
    return templates.TemplateResponse(
        request, "problem.html", context, status_code=status, headers=HEADERS
    )
