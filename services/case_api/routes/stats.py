"""Statistics for ops and staff, from the read models (eventually consistent: each answer
gives the log position it reflects, and how far behind the log that is)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field
from sqlalchemy import Connection, Engine

from projections import reports
from projections.tracking import head
from services.case_api.deps import CurrentPrincipal, Services, Svc, json_response, require_role
from services.case_api.problems import invalid
from services.case_api.routes import problems
from services.case_api.schemas import Platform

router = APIRouter(prefix="/v1/stats", tags=["stats"])


class Freshness(BaseModel):
    position: int = Field(description="the last event-log position the figures reflect")
    head: int = Field(description="the last position in the event log when answered")
    behind: int = Field(description="events logged but not yet in the figures (head − position)")
    generated_at: AwareDatetime


class RefundTotal(BaseModel):
    currency: str
    payer: str = Field(description="store | platform")
    amount: str = Field(description="exact decimal sum", examples=["240.00"])
    refunds: int


class FirstResponse(BaseModel):
    """Submitted → the store's first response, close or decision (logical times)."""

    responded: int = Field(description="cases the store has answered")
    median_seconds: float | None
    p90_seconds: float | None


class Stats(BaseModel):
    cases: int
    open: int = Field(description="cases neither closed nor withdrawn")
    by_status: dict[str, int] = Field(description="cases per status, every status listed")
    by_resolution: dict[str, int] = Field(
        description="ended cases per resolution (how they ended), every resolution listed"
    )
    sla_breached_cases: int = Field(
        description="cases where the store let a deadline pass: reminded, warned, escalated "
        "for a missed deadline, or auto-approved"
    )
    reminders: int
    warnings: int
    escalations: int = Field(description="every escalation, whoever asked")
    sla_escalations: int = Field(description="escalations for a missed deadline")
    auto_approvals: int
    first_response: FirstResponse
    refunds: list[RefundTotal] = Field(description="totals per currency and payer")


class DeadlineAtRisk(BaseModel):
    case_id: str
    deadline_id: str
    platform: str
    store_id: str
    kind: str
    action: str = Field(description="what happens when it passes")
    due_at: AwareDatetime
    overdue: bool = Field(description="due already; the scheduler has not acted on it yet")


class DeadlinesAtRisk(BaseModel):
    within_hours: int
    count: int = Field(description="pending deadlines due within the window, overdue included")
    overdue: int
    items: list[DeadlineAtRisk] = Field(description="the soonest 50")


class Overview(Freshness):
    platform: str | None = Field(description="the platform filter, if any")
    stats: Stats
    stores: int
    certified_stores: int
    deadlines_at_risk: DeadlinesAtRisk


class PlatformStats(Stats):
    platform: str


class PlatformList(Freshness):
    items: list[PlatformStats] = Field(description="every platform, those without cases too")


class Scorecard(BaseModel):
    store_id: str
    platform: str
    name: str
    country: str
    certified: bool
    warnings: int
    revocations: int
    revocation_reason: str | None
    reapply_after: AwareDatetime | None
    registered_at: AwareDatetime
    stats: Stats = Field(description="the store's cases")


class ScorecardList(Freshness):
    items: list[Scorecard]
    next_cursor: str | None


def fresh(svc: Services, read: Callable[[Connection], dict[str, Any]]) -> dict[str, Any]:
    """Run `read` on one snapshot of the read models (on the read replica when it serves);
    add how fresh the answer is."""

    def on(engine: Engine) -> dict[str, Any]:
        with reports.snapshot(engine) as connection:
            return read(connection)

    report = svc.reads.run(on)
    last = max(head(svc.redress), report["position"])
    return {
        **report,
        "head": last,
        "behind": last - report["position"],
        "generated_at": svc.clock(),
    }


async def answer(svc: Services, read: Callable[[Connection], dict[str, Any]]) -> Response:
    return json_response(await run_in_threadpool(fresh, svc, read))


@router.get("/overview", response_model=Overview, responses=problems(403, 422))
async def overview(
    principal: CurrentPrincipal, svc: Svc, platform: Platform | None = None
) -> Response:
    """Totals over every case (or one platform's), store counts and deadlines at risk."""
    require_role(principal, "ops", "staff")
    now: datetime = svc.clock()
    return await answer(svc, lambda c: reports.overview(c, now, platform))


@router.get("/platforms", response_model=PlatformList, responses=problems(403))
async def platforms(principal: CurrentPrincipal, svc: Svc) -> Response:
    """The statistics of each platform."""
    require_role(principal, "ops", "staff")
    return await answer(svc, reports.platforms)


@router.get("/stores", response_model=ScorecardList, responses=problems(403, 422))
async def stores(
    principal: CurrentPrincipal,
    svc: Svc,
    platform: Platform | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
) -> Response:
    """Store scorecards (certification, warnings, response times), in store id order."""
    require_role(principal, "ops", "staff")

    def read(connection: Connection) -> dict[str, Any]:
        try:
            return reports.stores(connection, platform, limit, cursor)
        except reports.BadCursor:
            raise invalid(
                "the cursor is not one this API gave out",
                [{"field": "cursor", "message": "invalid"}],
            ) from None

    return await answer(svc, read)
