"""Filing a case: the one function behind `POST /v1/cases`, whether the route
(services.case_api.routes.cases) or the hot path in front of FastAPI
(services.case_api.filing_hot_path) takes the request."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import Actor, By
from domain.filing import Order
from services.application import NewCase
from services.case_api.auth import Principal
from services.case_api.deps import Services, case_response, require_role
from services.case_api.idempotency import remembered
from services.case_api.problems import forbidden, invalid
from services.case_api.schemas import CaseCreate
from services.case_api.settings import ApiSettings


async def file_case(body: CaseCreate, principal: Principal, svc: Services) -> Response:
    """File a case (consumer), or import an open case from an earlier system (staff); the
    answer is kept for the case's first read (services.case_api.case_reads)."""
    require_role(principal, "consumer", "staff")
    now = svc.clock()
    if principal.role == "consumer":
        if body.consumer_id is not None or body.submitted_at is not None:
            raise forbidden("consumer_id and submitted_at are for staff imports only")
        consumer_id, by = principal.subject, By.at(principal.actor, now)
    else:
        if body.consumer_id is None:
            raise invalid(
                "a staff import names the consumer_id",
                [{"field": "consumer_id", "message": "required for staff"}],
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
    built: dict[str, Any] = {}  # the last answer built for the commit, with its state

    def answer(state: dict[str, Any]) -> tuple[int, dict[str, str], str]:
        """The answer committed with an idempotent request's events (a retry after a conflict
        files another state, and builds its own)."""
        built.update(state=state, response=case_response(state, 201))
        return remembered(built["response"])

    state = await run_in_threadpool(svc.redress.submit_case, by, new, answer)
    # An idempotent filing built its answer for the commit: the case is encoded once.
    response = built["response"] if built.get("state") is state else case_response(state, 201)
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
        raise invalid(f"submitted_at {problem}", [{"field": "submitted_at", "message": problem}])
