"""API keys (admin): the token is shown once; only its hash is kept."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.idempotency import SHOWN_ONCE
from services.case_api.routes import problems
from services.case_api.schemas import ApiKeyCreate, ApiKeyPublic

router = APIRouter(prefix="/v1/api-keys", tags=["api keys"])


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
