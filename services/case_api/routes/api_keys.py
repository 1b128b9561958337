"""API keys (admin): the token is shown once; only its hash is kept. Keys are listed (never
their tokens) and revoked; a revoked key stops working at once in every process."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.idempotency import SHOWN_ONCE
from services.case_api.problems import not_found
from services.case_api.routes import problems
from services.case_api.schemas import ApiKeyCreate, ApiKeyList, ApiKeyPublic

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])
KeyId = Annotated[str, Query(max_length=40, pattern="^[0-9a-f]{1,40}$")]


@router.post("", status_code=201, response_model=ApiKeyPublic, responses=problems(403, 422))
async def create_key(body: ApiKeyCreate, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Create a key with a role and scope; its token is in this answer only."""
    require_role(principal, "admin")
    key, token = await svc.keys.create(body.role, body.subject, body.store_ids, svc.clock())
    return json_response(
        {
            "id": key.key_id,
            "token": token,
            "role": key.role,
            "subject": key.subject,
            "store_ids": list(key.store_ids),
        },
        201,
        SHOWN_ONCE,
    )


@router.get("", response_model=ApiKeyList, responses=problems(403, 422))
async def list_keys(
    principal: CurrentPrincipal,
    svc: Svc,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    after: KeyId | None = None,
) -> Response:
    """Every key in id order, revoked ones too (with when); never a token or its hash."""
    require_role(principal, "admin")
    items = await svc.keys.listed(after, limit + 1)
    more = len(items) > limit
    return json_response(
        {"items": items[:limit], "next_cursor": items[limit - 1]["id"] if more else None}
    )


@router.delete("/{key_id}", status_code=204, responses=problems(403, 404))
async def revoke_key(key_id: str, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Revoke a key: from the next request on, in every process, it authenticates no one."""
    require_role(principal, "admin")
    if not await svc.keys.revoke(key_id, svc.clock()):
        raise not_found(f"API key {key_id[:40]}")
    return Response(status_code=204)
