"""The SLA policies: those in force, and every earlier version a case may still follow."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import Response

from services.case_api.deps import CurrentPrincipal, Svc, json_response
from services.case_api.problems import not_found
from services.case_api.routes import problems
from services.case_api.schemas import Platform

router = APIRouter(prefix="/v1/platforms", tags=["platforms"])


@router.get("", response_model=dict[str, Any], responses=problems())
async def platforms(principal: CurrentPrincipal, svc: Svc) -> Response:
    """Every platform's current policy (with its `version`): kinds, filing windows,
    eligibility, deadlines, caps, calendar. New cases are filed under these."""
    return json_response(
        {name: policy.model_dump(mode="json") for name, policy in svc.redress.policies.items()}
    )


@router.get("/{platform}/versions", response_model=dict[str, Any], responses=problems(404))
async def policy_versions(principal: CurrentPrincipal, svc: Svc, platform: Platform) -> Response:
    """The versions of one platform's policy that cases follow: `{platform, current,
    versions}`."""
    book = svc.redress.policy_book
    return json_response(
        {
            "platform": platform,
            "current": book.current[platform].version,
            "versions": book.versions(platform),
        }
    )


@router.get(
    "/{platform}/versions/{version}", response_model=dict[str, Any], responses=problems(404)
)
async def policy_version(
    principal: CurrentPrincipal,
    svc: Svc,
    platform: Platform,
    version: Annotated[int, Path(ge=1, le=1_000_000)],
) -> Response:
    """One version of a platform's policy, current or earlier (cases filed under an earlier
    version keep following it)."""
    policy = svc.redress.policy_book.by_version.get((platform, version))
    if policy is None:
        raise not_found(f"version {version} of the {platform} policy")
    return json_response(policy.model_dump(mode="json"))
