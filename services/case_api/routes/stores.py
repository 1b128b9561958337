"""Stores: registration (admin, staff) and their record."""

from __future__ import annotations

from zoneinfo import available_timezones

import holidays
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
# Countries (and their subdivisions) whose public holidays the deadline calendar knows.
CALENDARS: dict[str, list[str]] = holidays.list_supported_countries()


def _invalid(field: str, message: str) -> Problem:
    errors = [{"field": field, "message": message}]
    return Problem(422, "Invalid Request", message, slug="validation", errors=errors)


def _check_calendar(body: StoreCreate) -> None:
    """A store's deadlines count its country's working days: refuse any it has no calendar for."""
    if body.timezone not in ZONES:
        raise _invalid("timezone", f"unknown time zone {body.timezone!r}: an IANA zone name")
    if body.country not in CALENDARS:
        raise _invalid("country", f"no holiday calendar for country {body.country}")
    if body.subdivision is not None and body.subdivision not in CALENDARS[body.country]:
        raise _invalid(
            "subdivision", f"{body.country} has no subdivision {body.subdivision} in the calendar"
        )


@router.post("", status_code=201, response_model=StorePublic, responses=problems(403, 409, 422))
async def register_store(body: StoreCreate, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Register a store on a platform, certified or not."""
    require_role(principal, "admin", "staff")
    _check_calendar(body)
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
