"""The commands on an existing case: one row each in `COMMANDS` (the path that names it, the
roles that may send it, its body, its domain call). The routes are registered from it
(services.case_api.routes.case_commands); each answers 200 with the updated case and its
ETag. A domain call's name is the route's (its OpenAPI operation id and summary), its
docstring the route's OpenAPI description."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from domain.actors import By
from domain.case import Case
from domain.money import ExchangeRates, Money
from domain.policies.schema import Policy
from services.case_api.auth import Principal
from services.case_api.problems import forbidden
from services.case_api.schemas import (
    Arbitration,
    Decision,
    Diagnosis,
    Empty,
    Escalate,
    In,
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

# The domain call: (case, policy, by, body, the application's exchange rates). A command
# whose body is optional gets None when none was sent.
Act = Callable[[Case, Policy, By, Any, ExchangeRates], None]
CONSUMER, STORE, STAFF = ("consumer",), ("store",), ("staff",)


@dataclass(frozen=True)
class CaseCommand:
    path: str
    roles: tuple[str, ...]
    body: type[In]
    act: Act
    body_optional: bool = False
    # A refusal decided by the body and the caller alone, before the case is read.
    precheck: Callable[[Any, Principal], None] | None = None

    @property
    def name(self) -> str:
        return self.act.__name__

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.act.__doc__ or "")

    @property
    def metric(self) -> str:
        return self.path.strip("/")


def _decimal(amount: str | None) -> Decimal | None:
    return Decimal(amount) if amount else None


def _platform_refunds_by_staff(body: RefundIn, principal: Principal) -> None:
    if body.payer == "platform" and principal.role != "staff":
        raise forbidden("only staff record refunds paid by the platform")


# -- the domain calls ---------------------------------------------------------------------------


def respond(c: Case, p: Policy, by: By, body: Respond, _rates: ExchangeRates) -> None:
    """The store's first response; cancels the response deadlines."""
    c.respond(p, by, body.message)


def post_message(c: Case, p: Policy, by: By, body: MessageIn, _rates: ExchangeRates) -> None:
    """A message from a party or staff."""
    c.post_message(p, by, body.body, body.language)


def store_close(c: Case, p: Policy, by: By, body: StoreClose, rates: ExchangeRates) -> None:
    """The store closes the case; the consumer must approve or reject."""
    c.store_close(p, by, body.decision, body.note, _decimal(body.refund_amount), rates)


def approve(c: Case, p: Policy, by: By, _body: Empty | None, rates: ExchangeRates) -> None:
    """The consumer accepts the store's proposal, refund or decision: the case ends `agreed`
    (a proposed refund is paid in the same step)."""
    c.approve(p, by, rates)


def reject(c: Case, p: Policy, by: By, body: Reject, _rates: ExchangeRates) -> None:
    """The consumer rejects, with a written explanation; the case goes back to the store."""
    c.reject(p, by, body.explanation)


def escalate(c: Case, p: Policy, by: By, body: Escalate | None, _rates: ExchangeRates) -> None:
    """Escalate to the platform's staff (consumer where the policy allows it, or staff)."""
    c.escalate(p, by, body.reason if body else None)


def refund(c: Case, p: Policy, by: By, body: RefundIn, rates: ExchangeRates) -> None:
    """Record a refund; platform payouts (staff only) are held to the policy's caps."""
    money = Money(Decimal(body.amount), body.currency)
    c.refund(p, by, money, body.payer, body.reason, rates)


def withdraw(c: Case, p: Policy, by: By, body: Withdraw | None, _rates: ExchangeRates) -> None:
    """The consumer withdraws the request (and may file again later)."""
    c.withdraw(p, by, body.reason if body else None)


def consumer_close(c: Case, p: Policy, by: By, _body: Empty | None, _r: ExchangeRates) -> None:
    """The consumer closes the case, where the policy has granted that right."""
    c.consumer_close(p, by)


def decision(c: Case, p: Policy, by: By, body: Decision, rates: ExchangeRates) -> None:
    """The store's review decision (globalbuy, geli)."""
    c.decide(p, by, body.decision, body.note, rates)


def return_shipment(c: Case, p: Policy, by: By, body: ReturnShipment, _r: ExchangeRates) -> None:
    """The consumer ships the return and uploads the waybill."""
    c.ship_return(p, by, body.carrier, body.waybill)


def diagnosis(c: Case, p: Policy, by: By, body: Diagnosis, _rates: ExchangeRates) -> None:
    """The store's pre-diagnosis of a warranty claim (bigben): goods go back only when a
    return is needed."""
    c.diagnose(p, by, body.outcome, body.note)


def repayment(c: Case, p: Policy, by: By, body: Repayment, _rates: ExchangeRates) -> None:
    """Staff record that the merchant repaid the platform's advance (geli)."""
    c.record_repayment(p, by, body.reference)


def return_received(c: Case, p: Policy, by: By, _body: Empty | None, _r: ExchangeRates) -> None:
    """The store has received the returned parcel."""
    c.receive_return(p, by)


def arbitration(c: Case, p: Policy, by: By, body: Arbitration, _rates: ExchangeRates) -> None:
    """After a refusal, the consumer asks the platform to arbitrate (globalbuy)."""
    c.ask_arbitration(p, by, body.reason)


def suspend(c: Case, p: Policy, by: By, body: Suspend, _rates: ExchangeRates) -> None:
    """Suspend a case (judicial, negotiation, third_party, as the platform allows): its
    deadlines pause with the time they had left."""
    c.suspend(p, by, body.reason, body.note)


def ruling(c: Case, p: Policy, by: By, body: Ruling, rates: ExchangeRates) -> None:
    """Staff rule on an escalated case: for the store it ends; for the consumer with an
    amount the refund is paid and it ends; without one it stays with staff."""
    amount = _decimal(body.refund_amount)
    c.rule(p, by, body.in_favour_of, body.note, amount, body.payer, rates)


def settlement(c: Case, p: Policy, by: By, body: Settlement, _rates: ExchangeRates) -> None:
    """Biggrey and the store settled internally: a protection payout spares the store."""
    c.record_settlement(p, by, body.reference)


def suspension_proof(c: Case, p: Policy, by: By, body: SuspensionProof, _r: ExchangeRates) -> None:
    """Proof that a court or the police accepted the matter; the case stays suspended."""
    c.record_suspension_proof(p, by, body.reference, body.authority)


def resume(c: Case, p: Policy, by: By, _body: Empty | None, _rates: ExchangeRates) -> None:
    """Resume a suspended case; paused deadlines run again with the time they had left."""
    c.resume(p, by)


def payout_confirmation(
    c: Case, p: Policy, by: By, body: PayoutConfirmation, _rates: ExchangeRates
) -> None:
    """Staff confirm the transfer a platform payout ordered (stops the payout deadline)."""
    c.confirm_payout(p, by, body.reference)


# -- the table: path, roles, body, domain call ------------------------------------------------

COMMANDS = (
    CaseCommand("/respond", STORE, Respond, respond),
    CaseCommand("/messages", ("consumer", "store", "staff"), MessageIn, post_message),
    CaseCommand("/close", STORE, StoreClose, store_close),
    CaseCommand("/approve", CONSUMER, Empty, approve, body_optional=True),
    CaseCommand("/reject", CONSUMER, Reject, reject),
    CaseCommand("/escalate", ("consumer", "staff"), Escalate, escalate, body_optional=True),
    CaseCommand(
        "/refunds", ("store", "staff"), RefundIn, refund, precheck=_platform_refunds_by_staff
    ),
    CaseCommand("/withdraw", CONSUMER, Withdraw, withdraw, body_optional=True),
    CaseCommand("/consumer-close", CONSUMER, Empty, consumer_close, body_optional=True),
    CaseCommand("/decision", STORE, Decision, decision),
    CaseCommand("/return-shipment", CONSUMER, ReturnShipment, return_shipment),
    CaseCommand("/diagnosis", STORE, Diagnosis, diagnosis),
    CaseCommand("/repayment", STAFF, Repayment, repayment),
    CaseCommand("/return-received", STORE, Empty, return_received, body_optional=True),
    CaseCommand("/arbitration", CONSUMER, Arbitration, arbitration),
    CaseCommand("/suspend", STAFF, Suspend, suspend),
    CaseCommand("/ruling", STAFF, Ruling, ruling),
    CaseCommand("/settlement", STAFF, Settlement, settlement),
    CaseCommand("/suspension-proof", STAFF, SuspensionProof, suspension_proof),
    CaseCommand("/resume", STAFF, Empty, resume, body_optional=True),
    CaseCommand("/payout-confirmation", STAFF, PayoutConfirmation, payout_confirmation),
)
