"""The event feed: every event the caller may see, as CloudEvents, cursor-paged."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from services.case_api.deps import CurrentPrincipal, Svc, json_response
from services.case_api.routes import problems
from services.case_api.routes.webhooks import notifier

router = APIRouter(prefix="/v1/events", tags=["events"])


class CloudEvent(BaseModel):
    specversion: str
    id: str
    source: str
    type: str
    subject: str
    time: str
    datacontenttype: str
    data: dict[str, Any]


class EventPage(BaseModel):
    items: list[CloudEvent]
    next_cursor: str = Field(description="pass as `after` for the next page (or to poll)")
    has_more: bool = Field(description="false once the page reached the head of the log")


@router.get("", response_model=EventPage, responses=problems(422))
async def feed(
    principal: CurrentPrincipal,
    svc: Svc,
    request: Request,
    after: Annotated[str, Query(pattern="^[0-9]{1,18}$")] = "0",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Response:
    """CloudEvents 1.0 in the caller's scope, oldest first, after the cursor `after`."""
    feed = notifier(request, svc).feed
    page = await run_in_threadpool(
        svc.reads.run,
        lambda engine: feed.page(
            principal.role, principal.subject, principal.store_ids, int(after), limit, engine
        ),
    )
    return json_response(page)
