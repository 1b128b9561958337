"""Commands on an existing case. Each answers 200 with the updated case and its ETag."""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Header
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from domain.actors import By
from domain.case import Case
from domain.errors import DomainError
from domain.money import Money
from domain.policies.schema import Policy
from services.application import VersionMismatch
from services.case_api.auth import Principal
from services.case_api.deps import (
    CurrentPrincipal,
    Services,
    Svc,
    case_response,
    parse_case_id,
    parse_if_match,
    require_role,
    require_scope,
)
from services.case_api.idempotency import remembered
from services.case_api.problems import forbidden
from services.case_api.routes import problems
from services.case_api.schemas import (
    Arbitration,
    CasePublic,
    Decision,
    Diagnosis,
    Empty,
    Escalate,
    MessageIn,
    PayoutConfirmation,
    RefundIn,
    Reject,
    Repayment,
    Respond,
    ReturnShipment,
    Ruling,
    Settlement,
    StoreClose,
    Suspend,
    SuspensionProof,
    Withdraw,
)
from services.observability import COMMANDS

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["case commands"])
IfMatch = Annotated[str | None, Header(description='the ETag you read, e.g. "3"')]
Action = Callable[[Case, Policy, By], None]


_command: ContextVar[str] = ContextVar("command", default="unknown")


def command(path: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A POST route answering with the updated case; its path names the command."""
    name = path.strip("/")

    def decorate(endpoint: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(endpoint)
        async def named(*args: Any, **kwargs: Any) -> Any:
            _command.set(name)
            return await endpoint(*args, **kwargs)

        return router.post(
            path, response_model=CasePublic, responses=problems(403, 404, 409, 412, 422)
        )(named)

    return decorate


async def run(
    svc: Services,
    principal: Principal,
    case_id: str,
    if_match: str | None,
    roles: tuple[str, ...],
    action: Action,
) -> Response:
    """Scope (404) → role (403) → the domain command, queued behind this process's other
    commands on the case (services.case_api.case_locks) and retried on another's writes."""
    uuid = parse_case_id(case_id)
    expected = parse_if_match(if_match)

    def authorize(case: Case) -> None:
        require_scope(principal, case.store_id, case.consumer_id, case_id)
        require_role(principal, *roles)

    by = By.at(principal.actor, svc.clock())
    name = _command.get()
    try:
        async with svc.case_locks.holding(uuid):
            state = await run_in_threadpool(
                svc.redress.act,
                uuid,
                by,
                lambda case, policy: action(case, policy, by),
                expected_version=expected,
                authorize=authorize,
                answer=lambda state: remembered(case_response(state)),
            )
    except DomainError as refusal:
        COMMANDS.labels(name, refusal.rule).inc()
        raise
    except VersionMismatch:
        COMMANDS.labels(name, "stale").inc()
        raise
    COMMANDS.labels(name, "ok").inc()
    return case_response(state)


@command("/respond")
async def respond(
    case_id: str, body: Respond, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """The store's first response; cancels the response deadlines."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("store",),
        lambda c, p, by: c.respond(p, by, body.message),
    )


@command("/messages")
async def post_message(
    case_id: str, body: MessageIn, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """A message from a party or staff."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer", "store", "staff"),
        lambda c, p, by: c.post_message(p, by, body.body, body.language),
    )


@command("/close")
async def store_close(
    case_id: str, body: StoreClose, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """The store closes the case; the consumer must approve or reject."""
    amount = Decimal(body.refund_amount) if body.refund_amount else None
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("store",),
        lambda c, p, by: c.store_close(p, by, body.decision, body.note, amount, svc.redress.rates),
    )


@command("/approve")
async def approve(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Empty | None = None,
    if_match: IfMatch = None,
) -> Response:
    """The consumer accepts the store's proposal, refund or decision: the case ends `agreed`
    (a proposed refund is paid in the same step)."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer",),
        lambda c, p, by: c.approve(p, by, svc.redress.rates),
    )


@command("/reject")
async def reject(
    case_id: str, body: Reject, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """The consumer rejects, with a written explanation; the case goes back to the store."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer",),
        lambda c, p, by: c.reject(p, by, body.explanation),
    )


@command("/escalate")
async def escalate(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Escalate | None = None,
    if_match: IfMatch = None,
) -> Response:
    """Escalate to the platform's staff (consumer where the policy allows it, or staff)."""
    reason = body.reason if body else None
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer", "staff"),
        lambda c, p, by: c.escalate(p, by, reason),
    )


@command("/refunds")
async def refund(
    case_id: str, body: RefundIn, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """Record a refund; platform payouts (staff only) are held to the policy's caps."""
    if body.payer == "platform" and principal.role != "staff":
        raise forbidden("only staff record refunds paid by the platform")
    money = Money(Decimal(body.amount), body.currency)
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("store", "staff"),
        lambda c, p, by: c.refund(p, by, money, body.payer, body.reason, svc.redress.rates),
    )


@command("/withdraw")
async def withdraw(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Withdraw | None = None,
    if_match: IfMatch = None,
) -> Response:
    """The consumer withdraws the request (and may file again later)."""
    reason = body.reason if body else None
    return await run(
        svc, principal, case_id, if_match, ("consumer",), lambda c, p, by: c.withdraw(p, by, reason)
    )


@command("/consumer-close")
async def consumer_close(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Empty | None = None,
    if_match: IfMatch = None,
) -> Response:
    """The consumer closes the case, where the policy has granted that right."""
    return await run(
        svc, principal, case_id, if_match, ("consumer",), lambda c, p, by: c.consumer_close(p, by)
    )


@command("/decision")
async def decision(
    case_id: str, body: Decision, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """The store's review decision (globalbuy, geli)."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("store",),
        lambda c, p, by: c.decide(p, by, body.decision, body.note, svc.redress.rates),
    )


@command("/return-shipment")
async def return_shipment(
    case_id: str,
    body: ReturnShipment,
    principal: CurrentPrincipal,
    svc: Svc,
    if_match: IfMatch = None,
) -> Response:
    """The consumer ships the return and uploads the waybill."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer",),
        lambda c, p, by: c.ship_return(p, by, body.carrier, body.waybill),
    )


@command("/diagnosis")
async def diagnosis(
    case_id: str, body: Diagnosis, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """The store's pre-diagnosis of a warranty claim (bigben): goods go back only when a
    return is needed."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("store",),
        lambda c, p, by: c.diagnose(p, by, body.outcome, body.note),
    )


@command("/repayment")
async def repayment(
    case_id: str, body: Repayment, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """Staff record that the merchant repaid the platform's advance (geli)."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.record_repayment(p, by, body.reference),
    )


@command("/return-received")
async def return_received(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Empty | None = None,
    if_match: IfMatch = None,
) -> Response:
    """The store has received the returned parcel."""
    return await run(
        svc, principal, case_id, if_match, ("store",), lambda c, p, by: c.receive_return(p, by)
    )


@command("/arbitration")
async def arbitration(
    case_id: str, body: Arbitration, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """After a refusal, the consumer asks the platform to arbitrate (globalbuy)."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("consumer",),
        lambda c, p, by: c.ask_arbitration(p, by, body.reason),
    )


@command("/suspend")
async def suspend(
    case_id: str, body: Suspend, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """Suspend a case (judicial, negotiation, third_party, as the platform allows): its
    deadlines pause with the time they had left."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.suspend(p, by, body.reason, body.note),
    )


@command("/ruling")
async def ruling(
    case_id: str, body: Ruling, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """Staff rule on an escalated case: for the store it ends; for the consumer with an
    amount the refund is paid and it ends; without one it stays with staff."""
    amount = Decimal(body.refund_amount) if body.refund_amount else None
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.rule(
            p, by, body.in_favour_of, body.note, amount, body.payer, svc.redress.rates
        ),
    )


@command("/settlement")
async def settlement(
    case_id: str, body: Settlement, principal: CurrentPrincipal, svc: Svc, if_match: IfMatch = None
) -> Response:
    """Biggrey and the store settled internally: a protection payout spares the store."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.record_settlement(p, by, body.reference),
    )


@command("/suspension-proof")
async def suspension_proof(
    case_id: str,
    body: SuspensionProof,
    principal: CurrentPrincipal,
    svc: Svc,
    if_match: IfMatch = None,
) -> Response:
    """Proof that a court or the police accepted the matter; the case stays suspended."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.record_suspension_proof(p, by, body.reference, body.authority),
    )


@command("/resume")
async def resume(
    case_id: str,
    principal: CurrentPrincipal,
    svc: Svc,
    body: Empty | None = None,
    if_match: IfMatch = None,
) -> Response:
    """Resume a suspended case; paused deadlines run again with the time they had left."""
    return await run(
        svc, principal, case_id, if_match, ("staff",), lambda c, p, by: c.resume(p, by)
    )


@command("/payout-confirmation")
async def payout_confirmation(
    case_id: str,
    body: PayoutConfirmation,
    principal: CurrentPrincipal,
    svc: Svc,
    if_match: IfMatch = None,
) -> Response:
    """Staff confirm the transfer a platform payout ordered (stops the payout deadline)."""
    return await run(
        svc,
        principal,
        case_id,
        if_match,
        ("staff",),
        lambda c, p, by: c.confirm_payout(p, by, body.reference),
    )
