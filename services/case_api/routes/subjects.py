"""Data subjects (the consumers of cases): erasure and export (docs/personal-data.md)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import By
from services.case_api.deps import CurrentPrincipal, Svc, json_response, require_role
from services.case_api.problems import not_found
from services.case_api.routes import problems
from services.case_api.schemas import ErasurePublic, ErasureRequest, SubjectExport
from services.erasure import UnknownSubject, erase_subject, export_subject

router = APIRouter(prefix="/v1/subjects", tags=["subjects"])


@router.post(
    "/{subject_id}/erasure",
    response_model=ErasurePublic,
    responses=problems(403, 404, 422),
)
async def erase(
    subject_id: str, body: ErasureRequest, principal: CurrentPrincipal, svc: Svc
) -> Response:
    """Erase a data subject: shred their keys, record SubjectErased on each of their cases
    and overwrite every copy of their texts; their personal data then reads "[erased]"
    everywhere. Idempotent; the cases stay usable."""
    require_role(principal, "admin", "staff")
    by = By.at(principal.actor, svc.clock())
    try:
        done = await run_in_threadpool(
            lambda: erase_subject(svc.redress, subject_id, by, body.reason)
        )
    except UnknownSubject:
        raise not_found(f"subject {subject_id}") from None
    return json_response(done)


@router.get("/{subject_id}/export", response_model=SubjectExport, responses=problems(403, 404))
async def export(subject_id: str, principal: CurrentPrincipal, svc: Svc) -> Response:
    """Every case and message about a data subject, as JSON (their right of access)."""
    require_role(principal, "staff")
    now = svc.clock()
    try:
        found = await run_in_threadpool(lambda: export_subject(svc.redress, subject_id, now))
    except UnknownSubject:
        raise not_found(f"subject {subject_id}") from None
    return json_response(found)
