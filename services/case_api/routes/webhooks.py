"""Webhook subscriptions (store, admin): subscribe, list, delete, rotate the secret, read the
delivery log, redeliver one, recover after an outage. Scoped to the caller's stores."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from services.case_api.auth import Principal
from services.case_api.deps import CurrentPrincipal, Services, Svc, json_response, require_role
from services.case_api.idempotency import SHOWN_ONCE
from services.case_api.problems import Problem, forbidden, invalid, not_found
from services.case_api.routes import problems
from services.case_api.schemas import Identifier, In, Instant
from services.notifier.envelope import known_types
from services.notifier.feed import Feed
from services.notifier.settings import NotifierSettings
from services.notifier.signing import SecretBox
from services.notifier.ssrf import Guard, Refused
from services.notifier.subscriptions import Subscriptions, public
from services.notifier.tables import DISABLED

router = APIRouter(prefix="/v1/webhooks", tags=["webhooks"])
EventType = Annotated[str, StringConstraints(min_length=1, max_length=64)]
MAX_ID = 2**63 - 1


@dataclass(frozen=True)
class Notifier:
    """The notifier's side of the API process, built on first use from its services."""

    settings: NotifierSettings
    subscriptions: Subscriptions
    feed: Feed
    guard: Guard

    @classmethod
    def of(cls, svc: Services, settings: NotifierSettings | None = None) -> Notifier:
        """From the API's services; `settings` default to the process's (environment)."""
        settings = settings or NotifierSettings.of(svc.settings)
        return cls(
            settings,
            Subscriptions(svc.engine, SecretBox(settings.encryption_key)),
            Feed(svc.redress, svc.sync_engine),
            Guard(settings.allowed_hosts),
        )


def notifier(request: Request, svc: Services) -> Notifier:
    found: Notifier | None = getattr(request.app.state, "notifier", None)
    if found is None:
        found = request.app.state.notifier = Notifier.of(svc)
    return found


class WebhookCreate(In):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    event_types: list[EventType] = Field(min_length=1, max_length=64)
    store_ids: list[Identifier] | None = Field(
        None, max_length=1000, description="default: all of the caller's stores"
    )


class WebhookPublic(BaseModel):
    id: str
    url: str
    event_types: list[str]
    store_ids: list[str] | None
    status: str
    disabled_reason: str | None
    disabled_at: AwareDatetime | None
    failing_since: AwareDatetime | None
    previous_secret_valid_until: AwareDatetime | None
    created_at: AwareDatetime


class WebhookCreated(WebhookPublic):
    secret: str = Field(description="`whsec_` + base64; shown once")


class WebhookList(BaseModel):
    items: list[WebhookPublic]


class Rotated(BaseModel):
    id: str
    secret: str = Field(description="the new secret; shown once")
    previous_secret_valid_until: AwareDatetime


class Attempt(BaseModel):
    at: AwareDatetime
    status_code: int | None
    latency_ms: int
    error: str | None
    response: str | None = Field(
        description="the first 256 bytes of the receiver's answer; shown to staff and admin "
        "only (null for stores: a receiver's answer may come from inside the network)"
    )
    response_headers: dict[str, str] | None = Field(
        description="the receiver's answer headers; staff and admin only, as `response`"
    )


class Delivery(BaseModel):
    id: str
    event_id: str
    event_type: str
    subject: str
    status: str = Field(description="pending | delivered | failed")
    created_at: AwareDatetime
    next_attempt_at: AwareDatetime | None
    delivered_at: AwareDatetime | None
    attempts: list[Attempt]


class DeliveryList(BaseModel):
    items: list[Delivery]
    next_cursor: str | None


class Recovery(BaseModel):
    id: str
    status: str
    requeued: int


def _invalid(field: str, message: str) -> Problem:
    errors = [{"field": field, "message": message, "type": "value_error"}]
    return invalid(message, errors)


def _store_scope(principal: Principal, wanted: list[str] | None) -> list[str] | None:
    """The stores a new subscription covers: within the caller's (admin: any; None = all)."""
    if principal.role == "admin":
        return wanted
    own = list(principal.store_ids)
    if not own:
        raise forbidden("this key is scoped to no store")
    if wanted is None:
        return own
    if outside := sorted(set(wanted) - set(own)):
        raise forbidden(f"not the caller's stores: {', '.join(outside)}")
    return wanted


def _check_types(event_types: list[str]) -> list[str]:
    known = known_types()
    families = {t.split(".", 1)[0] + ".*" for t in known}
    unknown = [t for t in event_types if t != "*" and t not in known and t not in families]
    if unknown:
        raise _invalid("event_types", f"unknown event types: {', '.join(unknown)}")
    return list(dict.fromkeys(event_types))


def _manages(principal: Principal, row: Any) -> bool:
    """Admin manages every subscription with stores; a store, those within its own. One that
    names no store (`store_ids: []`) belongs to whoever made it, and no one else."""
    if row.store_ids is not None and not row.store_ids:
        return (row.owner_role, row.owner_subject) == (principal.role, principal.subject)
    if principal.role in ("admin", "staff"):  # staff: reading delivery logs only
        return True
    return row.store_ids is not None and set(row.store_ids) <= set(principal.store_ids)


def _reveals(principal: Principal) -> bool:
    """Whether the caller sees what receivers answered (staff and admin; never stores)."""
    return principal.role in ("admin", "staff")


async def _owned(
    principal: Principal,
    request: Request,
    svc: Services,
    endpoint_id: str,
    roles: tuple[str, ...] = ("store", "admin"),
) -> Any:
    require_role(principal, *roles)
    if "\x00" in endpoint_id:  # no endpoint has one, and PostgreSQL text cannot hold it
        raise not_found(f"webhook {endpoint_id[:60]}")
    row = await notifier(request, svc).subscriptions.get(endpoint_id[:40])
    if row is None or not _manages(principal, row):
        raise not_found(f"webhook {endpoint_id[:60]}")
    return row


@router.post("", status_code=201, response_model=WebhookCreated, responses=problems(403, 422))
async def subscribe(
    body: WebhookCreate, principal: CurrentPrincipal, svc: Svc, request: Request
) -> Response:
    """Subscribe a URL to event types (`["*"]`: all); the secret is in this answer only."""
    require_role(principal, "store", "admin")
    stores = _store_scope(principal, body.store_ids)
    types = _check_types(body.event_types)
    hub = notifier(request, svc)
    try:
        await hub.guard.check(body.url)
    except Refused as refused:
        raise _invalid("url", f"this URL cannot receive webhooks: {refused.reason}") from None
    created, secret = await hub.subscriptions.create(
        (principal.role, principal.subject), body.url, types, stores, svc.clock()
    )
    return json_response(
        {**created, "secret": secret},
        201,
        {"Location": f"/v1/webhooks/{created['id']}", **SHOWN_ONCE},
    )


@router.get("", response_model=WebhookList, responses=problems(403))
async def list_webhooks(principal: CurrentPrincipal, svc: Svc, request: Request) -> Response:
    """The caller's subscriptions (secrets are never shown again)."""
    require_role(principal, "store", "admin")
    now = svc.clock()
    rows = await notifier(request, svc).subscriptions.all()
    return json_response({"items": [public(r, now) for r in rows if _manages(principal, r)]})


@router.get("/{endpoint_id}", response_model=WebhookPublic, responses=problems(403, 404))
async def get_webhook(
    endpoint_id: str, principal: CurrentPrincipal, svc: Svc, request: Request
) -> Response:
    """One subscription: its status, and why it was disabled if it was."""
    row = await _owned(principal, request, svc, endpoint_id)
    return json_response(public(row, svc.clock()))


@router.delete("/{endpoint_id}", status_code=204, responses=problems(403, 404))
async def delete_webhook(
    endpoint_id: str, principal: CurrentPrincipal, svc: Svc, request: Request
) -> Response:
    """Stop deliveries to this subscription for good."""
    row = await _owned(principal, request, svc, endpoint_id)
    await notifier(request, svc).subscriptions.delete(row.id)
    return Response(status_code=204)


@router.post("/{endpoint_id}/rotate", response_model=Rotated, responses=problems(403, 404))
async def rotate_secret(
    endpoint_id: str, principal: CurrentPrincipal, svc: Svc, request: Request
) -> Response:
    """A new secret; messages carry both signatures for 24 hours, then only the new one."""
    row = await _owned(principal, request, svc, endpoint_id)
    secret, until = await notifier(request, svc).subscriptions.rotate(row.id, svc.clock())
    return json_response(
        {"id": row.id, "secret": secret, "previous_secret_valid_until": until}, 200, SHOWN_ONCE
    )


@router.get(
    "/{endpoint_id}/deliveries", response_model=DeliveryList, responses=problems(403, 404, 422)
)
async def deliveries(
    endpoint_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    request: Request,
    status: Annotated[str | None, Query(pattern="^(pending|delivered|failed)$")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    cursor: Annotated[str | None, Query(pattern="^[0-9]{1,18}$")] = None,
) -> Response:
    """Every delivery to this subscription, newest first, each with every attempt (staff may
    read any subscription's log that names stores, and with the receivers' answers)."""
    row = await _owned(principal, request, svc, endpoint_id, ("store", "admin", "staff"))
    before = int(cursor) if cursor else None
    subscriptions = notifier(request, svc).subscriptions
    page = await svc.reads.run_async(
        lambda engine: subscriptions.deliveries(
            row.id, status, limit, before, engine, revealing=_reveals(principal)
        )
    )
    return json_response(page)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    status_code=202,
    response_model=Delivery,
    responses=problems(403, 404, 409),
)
async def retry_delivery(
    endpoint_id: str, delivery_id: str, principal: CurrentPrincipal, svc: Svc, request: Request
) -> Response:
    """Send one delivery again, now, with a fresh retry schedule."""
    row = await _owned(principal, request, svc, endpoint_id)
    if row.status == DISABLED:
        raise Problem(
            409,
            "Conflict",
            "the endpoint is disabled; recover it (POST …/recover) to deliver again",
            slug="endpoint-disabled",
        )
    if not delivery_id.isdigit() or int(delivery_id) > MAX_ID:
        raise not_found(f"delivery {delivery_id[:40]}")
    subscriptions = notifier(request, svc).subscriptions
    if not await subscriptions.retry(row.id, int(delivery_id), svc.clock()):
        raise not_found(f"delivery {delivery_id}")
    shown = await subscriptions.delivery(row.id, int(delivery_id), revealing=_reveals(principal))
    return json_response(shown, 202)


@router.post(
    "/{endpoint_id}/recover",
    status_code=202,
    response_model=Recovery,
    responses=problems(403, 404, 422),
)
async def recover(
    endpoint_id: str,
    since: Instant,
    principal: CurrentPrincipal,
    svc: Svc,
    request: Request,
) -> Response:
    """Enable the endpoint again and redeliver every delivery that failed since `since`."""
    row = await _owned(principal, request, svc, endpoint_id)
    hub = notifier(request, svc)
    requeued = await hub.subscriptions.recover(row.id, since, svc.clock())
    return json_response({"id": row.id, "status": "active", "requeued": requeued}, 202)
