"""Stores: registration (admin, staff) and their record."""

from __future__ import annotations

from zoneinfo import available_timezones

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import By
from services.application import StoreNotFound
from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.problems import Problem
from services.case_api.routes import problems
from services.case_api.schemas import StoreCreate, StorePublic

router = APIRouter(prefix="/v1/stores", tags=["stores"])
ZONES = frozenset(available_timezones())


@router.post("", status_code=201, response_model=StorePublic, responses=problems(403, 409, 422))
async def register_store(body: StoreCreate, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Register a store on a platform, certified or not."""
    require_role(principal, "admin", "staff")
    if body.timezone not in ZONES:
        raise Problem(
            422,
            "Invalid Request",
            f"unknown time zone {body.timezone!r}",
            slug="validation",
            errors=[{"field": "timezone", "message": "an IANA zone name"}],
        )
    by = By.at(principal.actor, svc.clock())
    store = await run_in_threadpool(
        lambda: svc.redress.register_store(
            by,
            store_id=body.id,
            platform=body.platform,
            name=body.name,
            certified=body.certified,
            country=body.country,
            timezone=body.timezone,
            language=body.language,
        )
    )
    return json_response(store, 201, {"Location": f"/v1/stores/{body.id}"})


@router.get("/{store_id}", response_model=StorePublic, responses=problems(404))
async def get_store(store_id: str, principal: CurrentPrincipal, svc: Svc) -> Response:
    """A store's record: certification, warnings, re-application date."""
    allowed = principal.role in ("admin", "staff", "ops") or (
        principal.role == "store" and store_id in principal.store_ids
    )
    if not allowed:
        raise StoreNotFound(store_id[:200])
    return json_response(await run_in_threadpool(svc.redress.get_store, store_id))
