"""Before a policy changes: what the new version would move (admin). Records nothing."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from domain.errors import PolicyError
from domain.policies import PLATFORMS, parse_policy
from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.problems import Problem
from services.case_api.routes import problems
from services.policy_changes import what_if

router = APIRouter(prefix="/v1/platforms", tags=["platforms"])
Platform = Annotated[str, Path(pattern="^(" + "|".join(PLATFORMS) + ")$")]


class PolicyDraft(BaseModel):
    model_config = ConfigDict(extra="forbid")

    policy: str = Field(
        min_length=1, max_length=65536, description="the new policy file's text (TOML)"
    )


@router.post(
    "/{platform}/what-if", response_model=dict[str, Any], responses=problems(403, 404, 422)
)
async def policy_what_if(
    platform: Platform,
    principal: CurrentPrincipal,
    svc: Svc,
    body: PolicyDraft,
) -> Response:
    """The open cases whose pending deadlines a new version of the policy would move: due
    now, due then, and whether it would already be overdue."""
    require_role(principal, "admin")
    try:
        new = parse_policy(f"{platform}.toml", body.policy)
    except PolicyError as error:
        raise Problem(422, "Invalid Policy", str(error), slug="validation") from None
    answer = await run_in_threadpool(what_if, svc.redress, svc.sync_engine, new, svc.clock())
    return json_response(answer)
