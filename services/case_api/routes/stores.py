"""Stores: registration (admin, staff) and their record."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import available_timezones

import holidays
from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import By
from domain.store import Store
from services.application import StoreNotFound
from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.problems import Problem, invalid
from services.case_api.routes import problems
from services.case_api.schemas import (
    Certification,
    Revocation,
    StoreCreate,
    StorePublic,
    StoreWarning,
)

router = APIRouter(prefix="/v1/stores", tags=["stores"])
ZONES = frozenset(available_timezones())
# Countries (and their subdivisions) whose public holidays the deadline calendar knows.
CALENDARS: dict[str, list[str]] = holidays.list_supported_countries()


def _invalid(field: str, message: str) -> Problem:
    errors = [{"field": field, "message": message}]
    return invalid(message, errors)


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
            subdivision=body.subdivision,
            language=body.language,
            contact_hours=body.contact_hours_given(),
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


async def _certificate_command(
    store_id: str, principal: CurrentPrincipal, svc: Svc, command: Callable[[Store, By], None]
) -> Response:
    """Staff act on a store's Biggrey certificate; answers 200 with the store."""
    require_role(principal, "staff")
    by = By.at(principal.actor, svc.clock())
    store = await run_in_threadpool(
        svc.redress.act_on_store, store_id, lambda store: command(store, by)
    )
    return json_response(store)


@router.post("/{store_id}/warnings", response_model=StorePublic, responses=problems(403, 404, 422))
async def warn_store(
    store_id: str, body: StoreWarning, principal: CurrentPrincipal, svc: Svc
) -> Response:
    """Warn a store by hand; the third warning since its certificate revokes it."""
    return await _certificate_command(
        store_id,
        principal,
        svc,
        lambda store, by: store.warn(None, by.occurred_at, by.actor.as_dict(), body.reason),
    )


@router.post(
    "/{store_id}/revocation", response_model=StorePublic, responses=problems(403, 404, 422)
)
async def revoke_certificate(
    store_id: str, body: Revocation, principal: CurrentPrincipal, svc: Svc
) -> Response:
    """Revoke a store's certificate at once (e.g. for cheating)."""
    return await _certificate_command(
        store_id,
        principal,
        svc,
        lambda store, by: store.revoke(body.reason, by.occurred_at, by.actor.as_dict()),
    )


@router.post(
    "/{store_id}/certification", response_model=StorePublic, responses=problems(403, 404, 422)
)
async def grant_certificate(
    store_id: str, body: Certification, principal: CurrentPrincipal, svc: Svc
) -> Response:
    """Grant a certificate (again); refused inside a 12-month bar. Resets the warnings."""
    return await _certificate_command(
        store_id,
        principal,
        svc,
        lambda store, by: store.certify(by.occurred_at, by.actor.as_dict(), body.evidence),
    )
