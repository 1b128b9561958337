"""The SLA policies in force."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from services.case_api.deps import CurrentPrincipal, Svc, json_response
from services.case_api.routes import problems

router = APIRouter(prefix="/v1/platforms", tags=["platforms"])


@router.get("", response_model=dict[str, Any], responses=problems())
async def platforms(principal: CurrentPrincipal, svc: Svc) -> Response:
    """Every platform's policy: kinds, filing windows, deadlines, caps, calendar."""
    return json_response(
        {name: policy.model_dump(mode="json") for name, policy in svc.redress.policies.items()}
    )
