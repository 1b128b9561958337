"""Signed checkpoints of the event log (services.audit): for staff, ops and admins to keep
outside the database, and to check the log against (`redress audit verify`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Engine, select

from services.audit.publish import public
from services.audit.tables import audit_checkpoints
from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.routes import problems

router = APIRouter(prefix="/v1/audit", tags=["audit"])


class Checkpoint(BaseModel):
    """What the signature covers: `position, events, chains, root, log_digest, at` (see
    `redress audit verify` and the README for the exact bytes)."""

    position: int = Field(description="the log position (notification id) signed")
    events: int = Field(description="events in the log up to that position")
    chains: int = Field(description="hash chains (cases' events, their translations) in the root")
    root: str = Field(description="Merkle root (RFC 6962) of the chains' head hashes, hex")
    log_digest: str = Field(description="running SHA-256 over the log in position order, hex")
    at: str = Field(description="when it was signed (UTC, microseconds), exactly as signed")
    algorithm: str = Field(description="ed25519")
    key_id: str = Field(description="first 16 hex digits of SHA-256 of the raw public key")
    public_key: str = Field(description="the signer's raw Ed25519 public key, base64")
    signature: str = Field(description="Ed25519 signature, base64")


class CheckpointPage(BaseModel):
    items: list[Checkpoint] = Field(description="oldest first")
    next_cursor: str | None = Field(description="pass as `after` for the next page; null: none")


def _page(engine: Engine, after: int, limit: int) -> dict[str, Any]:
    c = audit_checkpoints.c
    with engine.connect() as connection:
        rows = connection.execute(
            select(audit_checkpoints).where(c.position > after).order_by(c.position).limit(limit)
        ).all()
    items = [public(row) for row in rows]
    more = len(items) == limit
    return {"items": items, "next_cursor": str(items[-1]["position"]) if more else None}


@router.get("/checkpoints", response_model=CheckpointPage, responses=problems(403, 422))
async def checkpoints(
    principal: CurrentPrincipal,
    svc: Svc,
    after: Annotated[str, Query(pattern="^[0-9]{1,18}$", description="a position")] = "0",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """Signed checkpoints of the event log, oldest first, after the position `after`."""
    require_role(principal, "staff", "ops", "admin")
    page = await run_in_threadpool(_page, svc.sync_engine, int(after), limit)
    return json_response(page)
