"""The Case aggregate: one after-sales case's commands, deadlines and hash chain (its statuses
and transition table are in `domain.statuses`, the state its events change in `domain.state`).

Every command checks its invariants first, then records named past-tense events (see
`domain.case_events`). Each event carries the actor, its logical time (`occurred_at`), the
wall-clock time it was recorded (the library's `timestamp`), the case's pending deadlines
after it, and a SHA-256 hash chaining it to the case's previous event. Refusals raise a
`DomainError` and record nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from domain import case_events as ev
from domain.actors import SCHEDULER, By
from domain.calendar import BusinessCalendar
from domain.case_events import ending_resolution, hash_payload
from domain.deadlines import CaseFacts, Deadline, next_deadlines, pause, resume_paused, triggers
from domain.errors import (
    CapExceeded,
    ExplanationRequired,
    InvalidField,
    NotAllowedInStatus,
    NotYetAllowed,
    StepNotOffered,
)
from domain.filing import Order, check_filing, refund_without_return
from domain.hashchain import GENESIS, chain_hash
from domain.money import NO_RATES, ExchangeRates, Money
from domain.policies.schema import Policy
from domain.protection import capped_payout, check_platform_payout, platform_cap
from domain.refunds import check_within_paid, remaining
from domain.sealing import seal_personal
from domain.state import CaseState
from domain.statuses import TRANSITIONS, Status, allowed

STORE_CLOSE_DECISIONS = ("refund", "replace", "repair", "reject", "other")
STORE_DECISIONS = ("approve", "refuse", "refund_only", "reship", "consumer_gave_up")
DIAGNOSES = ("return_needed", "fixed_remotely", "not_covered")
AUTHORITIES = ("court", "police")
PAYERS = ("store", "platform")
RULED_FOR = ("consumer", "store")


class Case(CaseState, Aggregate):
    """An after-sales case. Create one with `Case.submit`."""

    # Version 2 added `policy_version`; snapshots taken before it are of cases under version 1.
    class_version = 2

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["policy_version"] = 1

    # -- filing ------------------------------------------------------------------------------

    @classmethod
    def submit(
        cls,
        policy: Policy,
        by: By,
        *,
        store_id: str,
        consumer_id: str,
        kind: str,
        order: Order,
        description: str,
        calendar: BusinessCalendar,
        certified: bool,
        language: str | None = None,
        fields: dict[str, Any] | None = None,
        case_id: UUID | None = None,
    ) -> Case:
        """File a case; deadlines count from `by.occurred_at` (a staff import's submitted_at)."""
        fields = {k: v for k, v in (fields or {}).items() if v is not None}
        check_filing(policy, calendar, kind, order, fields, by.occurred_at)
        case_id = case_id or uuid4()
        # Biggrey handles a complaint against a certified store itself, from the start.
        handled_by_platform = kind in policy.platform_handles and certified
        facts = CaseFacts(
            kind, certified, fields.get("goods_category"), handled_by_platform, order.delivered_at
        )
        deadlines = next_deadlines(
            policy,
            calendar,
            facts,
            [],
            triggers("Submitted"),
            at=by.occurred_at,
            sequence=Case.INITIAL_VERSION,
        )
        data: dict[str, Any] = {
            "platform": policy.platform,
            "store_id": store_id,
            "consumer_id": consumer_id,
            "kind": kind,
            "order": order.as_dict(),
            "description": description,
            "language": language,
            "fields": fields,
            "certified": certified,
            "calendar": calendar.as_dict(),
            "refund_without_return": refund_without_return(policy, fields),
            "policy_version": policy.version,
        }
        data = seal_personal(ev.Submitted.personal_fields, data)
        stored = [d.as_dict() for d in deadlines]
        actor = by.actor.as_dict()
        payload = hash_payload(
            "Submitted",
            case_id,
            Case.INITIAL_VERSION,
            by.occurred_at,
            by.recorded_at,
            actor,
            stored,
            ev.hashed_data(ev.Submitted, data),
        )
        case = cls._create(
            ev.Submitted,
            id=case_id,
            timestamp=by.recorded_at,
            occurred_at=by.occurred_at,
            actor=actor,
            deadlines=stored,
            prev_hash=GENESIS,
            hash=chain_hash(GENESIS, payload),
            **data,
        )
        if handled_by_platform:
            case._record(ev.Escalated, policy, by, reason=kind, deadline_id=None, note=None)
        return case

    # -- the store ---------------------------------------------------------------------------

    def respond(self, policy: Policy, by: By, message: str | None = None) -> None:
        allowed(self.status, "respond")
        self._record(ev.StoreResponded, policy, by, message=message)

    def store_close(
        self,
        policy: Policy,
        by: By,
        decision: str,
        note: str | None = None,
        refund_amount: Decimal | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        """The store proposes an outcome; the consumer approves (it ends `agreed`, and a
        proposed refund is paid in the same step) or rejects it."""
        if decision not in STORE_CLOSE_DECISIONS:
            raise InvalidField("decision", f"decision must be one of {STORE_CLOSE_DECISIONS}")
        allowed(self.status, "store_close")
        if refund_amount is not None:
            self._refund_within_paid(refund_amount, rates)
        self._record(
            ev.StoreClosed,
            policy,
            by,
            qualifier=decision,
            decision=decision,
            note=note,
            refund_amount=refund_amount,
        )

    def decide(
        self,
        policy: Policy,
        by: By,
        decision: str,
        note: str | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        """A store's review decision (globalbuy, geli). Approving a `refund_only` request is
        its `refund_only` decision: the amount asked for is refunded and the case ends."""
        self._require_step(policy, "decision")
        if decision not in STORE_DECISIONS:
            raise InvalidField("decision", f"decision must be one of {STORE_DECISIONS}")
        allowed(self.status, "decide")
        if self.refund_without_return and decision in ("refuse", "reship"):
            raise StepNotOffered(
                "near-expiry goods: the consumer is refunded without a return; "
                "the request cannot be refused or re-shipped"
            )
        refunds = decision == "refund_only" or (
            decision == "approve" and (self.kind == "refund_only" or self.refund_without_return)
        )
        # Near-expiry goods (either tier) are refunded without a return once approved.
        near_expiry = decision == "approve" and self.refund_without_return is not None
        refund = self._refund_asked(rates) if refunds or near_expiry else None
        self._record(ev.DecisionMade, policy, by, qualifier=decision, decision=decision, note=note)
        if decision == "consumer_gave_up":  # the merchant records the consumer dropped it
            self._record(ev.Closed, policy, by, reason="consumer_gave_up", deadline_id=None)
        if refund is not None:
            reason = "near_expiry" if near_expiry and self.kind != "refund_only" else "refund_only"
            self._record_refund(policy, by, refund, "store", reason, resolution="refunded")

    def diagnose(self, policy: Policy, by: By, outcome: str, note: str | None = None) -> None:
        """Bigben's pre-diagnosis of a warranty claim, before any goods go back."""
        self._require_step(policy, "diagnosis")
        if outcome not in DIAGNOSES:
            raise InvalidField("outcome", f"outcome must be one of {DIAGNOSES}")
        if self.kind != "warranty_claim":
            raise StepNotOffered("a pre-diagnosis is for warranty claims")
        allowed(self.status, "diagnose")
        self._record(
            ev.DiagnosisRecorded, policy, by, qualifier=outcome, outcome=outcome, note=note
        )

    def receive_return(self, policy: Policy, by: By) -> None:
        """The store has the parcel back, with or without a shipment upload."""
        self._require_step(policy, "return_received")
        allowed(self.status, "receive_return")
        if self.return_received:
            raise NotAllowedInStatus("the return was already recorded as received")
        self._record(ev.ReturnReceived, policy, by)

    # -- the consumer ------------------------------------------------------------------------

    def approve(self, policy: Policy, by: By, rates: ExchangeRates = NO_RATES) -> None:
        """The consumer agrees: the case ends `agreed`, paying a proposed refund first."""
        allowed(self.status, "approve")
        proposed = (self.proposal or {}).get("refund_amount")
        if proposed is not None:
            # Proposals recorded before they were checked may hold any amount: paid as proposed.
            refund = self._refund_within_paid(proposed, rates, positive=False)
            self._record_refund(policy, by, refund, "store", "agreement", resolution=None)
        self._record(ev.ConsumerApproved, policy, by)

    def reject(self, policy: Policy, by: By, explanation: str) -> None:
        if not explanation or not explanation.strip():
            raise ExplanationRequired("a rejection needs a written explanation")
        allowed(self.status, "reject")
        self._record(ev.ConsumerRejected, policy, by, explanation=explanation.strip())

    def withdraw(self, policy: Policy, by: By, reason: str | None = None) -> None:
        allowed(self.status, "withdraw")
        self._record(ev.Withdrawn, policy, by, reason=reason)

    def consumer_close(self, policy: Policy, by: By) -> None:
        self._require_step(policy, "consumer_close")
        allowed(self.status, "consumer_close")
        if not self.consumer_may_close:
            raise NotYetAllowed(
                "the consumer may close this case only once the policy's "
                "waiting time has run out (30 days for a non-certified store)"
            )
        self._record(ev.Closed, policy, by, reason="consumer_closed", deadline_id=None)

    def ship_return(self, policy: Policy, by: By, carrier: str, waybill: str) -> None:
        self._require_step(policy, "return_shipment")
        allowed(self.status, "ship_return")
        diagnosed = self.diagnosis == "return_needed"
        if "diagnosis" in policy.steps and self.kind == "warranty_claim" and not diagnosed:
            raise NotYetAllowed(
                "a warranty return goes back only after the store's pre-diagnosis finds a "
                f"return needed (…/diagnosis); the diagnosis is {self.diagnosis or 'missing'}"
            )
        if self.return_shipment is not None or self.return_received:
            raise NotAllowedInStatus("the return was already shipped or received")
        self._record(ev.ReturnShipped, policy, by, carrier=carrier, waybill=waybill)

    def ask_arbitration(self, policy: Policy, by: By, reason: str) -> None:
        self._require_step(policy, "arbitration")
        if (
            self.status not in TRANSITIONS["ask_arbitration"].runs_in
            or self.last_decision != "refuse"
        ):
            raise NotAllowedInStatus("arbitration can be asked only after the store refused")
        self._record(ev.Escalated, policy, by, reason="arbitration", deadline_id=None, note=reason)

    def erase_subject(
        self, policy: Policy, by: By, reason: str, key_ids: list[str], resealed: dict[str, str]
    ) -> None:
        """Record that the case's data subject was erased (any status: the case goes on;
        its deadlines stay as they are)."""
        self._record(
            ev.SubjectErased,
            policy,
            by,
            deadlines=list(self.deadlines),
            subject_id=self.subject_id,
            reason=reason,
            key_ids=sorted(key_ids),
            resealed=resealed,
        )

    # -- either party or staff ---------------------------------------------------------------

    def post_message(
        self,
        policy: Policy,
        by: By,
        body: str,
        language: str | None = None,
        attachments: Sequence[str] = (),
    ) -> None:
        # Messages are the one thing an ended case still takes.
        self._record(
            ev.MessagePosted,
            policy,
            by,
            body=body,
            language=language,
            attachments=list(attachments),
        )

    def escalate(self, policy: Policy, by: By, reason: str | None = None) -> None:
        if by.actor.role == "consumer":
            self._require_step(policy, "consumer_escalate")
        if policy.escalation_certified_only and not self.certified:
            raise StepNotOffered(
                f"{policy.name} cannot take over a case against a non-certified store: "
                "no escalation, by anyone"
            )
        allowed(self.status, "escalate")
        self._record(
            ev.Escalated,
            policy,
            by,
            reason=f"{by.actor.role}_request",
            deadline_id=None,
            note=reason,
        )

    def refund(
        self,
        policy: Policy,
        by: By,
        amount: Money,
        payer: str,
        reason: str | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        """A refund by the store or recorded by staff. A payment alone never decides the
        dispute: a store's refund short of what was paid (or asked) waits for the consumer's
        approval; one that reaches it ends the case `refunded` (except where the policy has
        every store decision approved by the consumer); staff refunds leave the case as it is."""
        if payer not in PAYERS:
            raise InvalidField("payer", f"payer must be one of {PAYERS}")
        self._positive(amount)
        allowed(self.status, "refund")
        by_store = by.actor.role == "store"
        if by_store and payer != "store":
            raise InvalidField("payer", "a store refunds as payer `store`")
        if payer == "platform":
            self._check_platform_cap(policy, amount, rates)
        total = check_within_paid(self.order_amount, self.refunds, amount, rates)
        resolution, awaits_consumer = None, False
        if by_store:
            full = total.amount >= self._asked().amount
            if not full and policy.partial_refund_needs_consent:
                raise NotYetAllowed(
                    f"{policy.name}: a refund short of the amount paid needs the consumer's "
                    "agreement first: propose it (…/close with refund_amount)"
                )
            if full and not policy.consumer_approves_store_decisions:
                resolution = "refunded"
            else:
                awaits_consumer = full or self.status != Status.ESCALATED
        self._record_refund(
            policy,
            by,
            amount,
            payer,
            reason or f"{payer}_refund",
            resolution=resolution,
            awaits_consumer=awaits_consumer,
        )

    # -- staff -------------------------------------------------------------------------------

    def rule(
        self,
        policy: Policy,
        by: By,
        in_favour_of: str,
        note: str,
        refund_amount: Decimal | None = None,
        payer: str | None = None,
        rates: ExchangeRates = NO_RATES,
    ) -> None:
        """Staff decide an escalated case. For the store it ends; for the consumer with an
        amount, the refund is paid and it ends; without one it stays with staff, ruled for
        the consumer (a protection clock keeps running)."""
        if in_favour_of not in RULED_FOR:
            raise InvalidField("in_favour_of", f"in_favour_of must be one of {RULED_FOR}")
        if not note or not note.strip():
            raise ExplanationRequired("a ruling needs a note giving its reasons")
        if in_favour_of == "store" and (refund_amount is not None or payer is not None):
            raise InvalidField("refund_amount", "a ruling for the store orders no refund")
        allowed(self.status, "rule")
        refund = None
        if refund_amount is not None:
            payer = payer or "store"
            if payer not in PAYERS:
                raise InvalidField("payer", f"payer must be one of {PAYERS}")
            platform_pays = policy if payer == "platform" else None
            refund = self._refund_within_paid(refund_amount, rates, platform_pays=platform_pays)
        elif payer is not None:
            raise InvalidField("payer", "a payer goes with a refund_amount")
        self._record(
            ev.Ruled,
            policy,
            by,
            qualifier=in_favour_of,
            in_favour_of=in_favour_of,
            refund_amount=refund_amount,
            payer=payer,
            note=note.strip(),
            resolution="ruled_for_store" if in_favour_of == "store" else None,
        )
        if refund is not None and payer is not None:
            self._record_refund(policy, by, refund, payer, "ruling", "ruled_for_consumer")

    def change_policy_version(
        self, policy: Policy, by: By, moved: Sequence[dict[str, Any]]
    ) -> None:
        """Follow `policy` (another version of the platform's) from now on; `moved` are the
        pending deadlines whose due time it changes (worked out from the case's history)."""
        if policy.platform != self.platform:
            raise InvalidField("platform", f"the case is on {self.platform}, not {policy.platform}")
        if policy.version == self.policy_version:
            raise NotAllowedInStatus(f"the case already follows version {policy.version}")
        allowed(self.status, "change_policy_version")
        changes = {m["deadline_id"]: m for m in moved}
        unknown = set(changes) - {d.id for d in self.deadlines}
        if unknown:
            raise InvalidField("moved", f"no pending deadlines {sorted(unknown)} on this case")
        deadlines = [
            Deadline(d.id, d.kind, changes[d.id]["due_after"], d.action) if d.id in changes else d
            for d in self.deadlines
            if d.id not in changes or changes[d.id]["due_after"] is not None
        ]
        self._record(
            ev.PolicyVersionChanged,
            policy,
            by,
            deadlines=sorted(deadlines, key=lambda d: (d.due_at, d.id)),
            from_version=self.policy_version,
            to_version=policy.version,
            moved=[dict(m) for m in moved],
        )

    def record_settlement(self, policy: Policy, by: By, reference: str) -> None:
        """Biggrey and the store settled internally, before any protection payout."""
        self._require_step(policy, "settlement")
        allowed(self.status, "record_settlement")
        if self.settlement is not None:
            raise NotAllowedInStatus("a settlement is already recorded on this case")
        self._record(ev.SettlementRecorded, policy, by, reference=reference)

    def suspend(self, policy: Policy, by: By, reason: str, note: str | None = None) -> None:
        self._require_step(policy, "suspend")
        if reason not in policy.suspension_reasons:
            offered = ", ".join(policy.suspension_reasons)
            raise StepNotOffered(
                f"{policy.name} does not suspend for {reason!r}; its reasons are {offered}"
            )
        allowed(self.status, "suspend")
        paused = pause(self.deadlines, by.occurred_at)
        resume_at = next_deadlines(
            policy,
            self.calendar,
            self.facts,
            [],
            triggers("Suspended", reason),
            at=by.occurred_at,
            sequence=self.version + 1,
        )
        self._record(
            ev.Suspended,
            policy,
            by,
            deadlines=resume_at,
            reason=reason,
            paused=paused,
            previous_status=str(self.status),
            note=note,
        )

    def record_suspension_proof(
        self, policy: Policy, by: By, reference: str, authority: str | None = None
    ) -> None:
        """A court or the police accepted the matter: a judicial suspension stays until staff
        resume it (police: 6 months at most)."""
        if authority not in AUTHORITIES:
            raise InvalidField("authority", f"authority must be one of {AUTHORITIES}")
        allowed(self.status, "record_suspension_proof")
        if self.suspension_reason != "judicial":
            raise NotAllowedInStatus("proof of acceptance is for a judicial suspension")
        self._record(
            ev.SuspensionProofRecorded,
            policy,
            by,
            qualifier=authority,
            reference=reference,
            authority=authority,
        )

    def record_repayment(self, policy: Policy, by: By, reference: str) -> None:
        """Geli: the merchant repaid the platform's advance (stops the repayment deadline)."""
        self._require_step(policy, "repayment")
        if not any(d.action == "flag_repayment_overdue" for d in self.deadlines):
            raise NotAllowedInStatus("this case has no platform advance awaiting repayment")
        self._record(ev.RepaymentRecorded, policy, by, reference=reference)

    def resume(self, policy: Policy, by: By, timeout: Deadline | None = None) -> None:
        allowed(self.status, "resume")
        kept = next_deadlines(
            policy,
            self.calendar,
            self.facts,
            self.deadlines,
            triggers("Resumed"),
            at=by.occurred_at,
            sequence=self.version + 1,
            fired=timeout.id if timeout else None,
        )
        running = sorted(
            [*kept, *resume_paused(self.paused_deadlines, by.occurred_at)],
            key=lambda d: (d.due_at, d.id),
        )
        self._record(
            ev.Resumed,
            policy,
            by,
            deadlines=running,
            restored_status=self.status_before_suspension or Status.IN_PROGRESS.value,
            deadline_id=timeout.id if timeout else None,
        )

    def confirm_payout(self, policy: Policy, by: By, reference: str) -> None:
        if not any(d.action == "flag_payout_overdue" for d in self.deadlines):
            raise NotAllowedInStatus("this case has no pending platform payout")
        self._record(ev.PayoutConfirmed, policy, by, reference=reference)

    # -- the scheduler -----------------------------------------------------------------------

    def time_out(
        self,
        policy: Policy,
        deadline_id: str,
        recorded_at: datetime,
        rates: ExchangeRates = NO_RATES,
    ) -> bool:
        """Act on an expired deadline, at its due_at. A deadline no longer pending (a duplicate
        or late timeout), or not yet due at `recorded_at`, changes nothing: returns False."""
        deadline = self.pending(deadline_id)
        if deadline is None:  # ending events drop deadlines; one pending now was armed after
            return False
        if deadline.due_at > recorded_at:  # e.g. a stale index row for a resumed deadline
            return False
        by = By(SCHEDULER, deadline.due_at, recorded_at)
        fired: dict[str, Any] = {"timeout": deadline, "deadline_id": deadline.id}
        match deadline.action:
            case "remind":
                self._record(ev.Reminded, policy, by, count=self.reminders + 1, **fired)
            case "warn_and_escalate":
                self._record(ev.Warned, policy, by, count=self.warnings + 1, **fired)
                self._record(ev.Escalated, policy, by, reason="sla_missed", note=None, **fired)
            case "escalate":
                self._record(ev.Escalated, policy, by, reason="sla_missed", note=None, **fired)
            case "auto_approve":
                self._auto_approve(policy, by, rates, fired)
            case "protection_refund":
                self._protection_refund(policy, by, rates, fired)
            case "allow_consumer_close":
                self._record(ev.ConsumerCloseAllowed, policy, by, **fired)
            case "close_gave_up":
                self._record(ev.Closed, policy, by, reason="consumer_gave_up", **fired)
            case "resume":
                self.resume(policy, by, timeout=deadline)
            case "flag_payout_overdue":
                self._record(ev.PayoutOverdue, policy, by, **fired)
            case "flag_repayment_overdue":
                self._record(ev.RepaymentOverdue, policy, by, **fired)
            case "auto_refund":
                self._auto_refund(policy, by, rates, fired)
            case other:
                raise ValueError(f"unknown deadline action {other!r}")
        return True

    def _auto_approve(
        self, policy: Policy, by: By, rates: ExchangeRates, fired: dict[str, Any]
    ) -> None:
        """The merchant's silence has the effect of its `approve`: a `refund_only` request
        is refunded the amount asked for and ends; a return goes on (the consumer ships)."""
        refund = self._refund_asked(rates) if self.kind == "refund_only" else None
        if refund is None:
            ends = "auto_approved" if self.kind == "refund_only" else None  # nothing left to pay
            self._record(ev.AutoApproved, policy, by, resolution=ends, **fired)
            return
        self._record(ev.AutoApproved, policy, by, resolution=None, **fired)
        self._record_refund(
            policy, by, refund, "store", "auto_approval", "auto_approved", fired=fired
        )

    def _auto_refund(
        self, policy: Policy, by: By, rates: ExchangeRates, fired: dict[str, Any]
    ) -> None:
        """The merchant did not refund a received return in time: the refund is made for it."""
        refund = self._refund_asked(rates)
        if refund is None:  # already refunded in full
            self._record(ev.Closed, policy, by, reason="refunded", **fired)
            return
        self._record_refund(policy, by, refund, "store", "auto_refund", "refunded", fired=fired)

    def _protection_refund(
        self, policy: Policy, by: By, rates: ExchangeRates, fired: dict[str, Any]
    ) -> None:
        """Purchase protection: what the consumer paid and has not had back, up to the cap."""
        claim = remaining(self.order_amount, self.refunds, rates)
        if claim.amount <= 0:  # the store's refunds already covered the amount paid
            self._record(ev.Closed, policy, by, reason="refunded", **fired)
            return
        cap = platform_cap(policy, self.order_amount, self.fields, self.certified, rates)
        try:
            paid = capped_payout(cap, claim, rates)
        except CapExceeded as refusal:
            # No rate to compare the price with the cap: the payout waits for staff, visibly.
            self._record(ev.PayoutHeld, policy, by, reason=refusal.detail, **fired)
            return
        self._record_refund(
            policy, by, paid, "platform", "purchase_protection", "protection_refund", fired=fired
        )

    # -- internals ---------------------------------------------------------------------------

    @property
    def facts(self) -> CaseFacts:
        delivered = self.order.get("delivered_at")
        return CaseFacts(
            self.kind, self.certified, self.fields.get("goods_category"), self.escalated, delivered
        )

    def _asked(self) -> Money:
        """What the consumer asks back: a `refund_only` request's amount, else what was paid."""
        asked = self.fields.get("refund_amount") if self.kind == "refund_only" else None
        if asked is None:
            return self.order_amount
        return Money(Decimal(str(asked)), self.order_amount.currency)

    def _refund_asked(self, rates: ExchangeRates) -> Money | None:
        """The amount asked for, less what was refunded already (None: nothing is left)."""
        left = remaining(self.order_amount, self.refunds, rates)
        asked = self._asked()
        refund = asked if asked.amount <= left.amount else left
        return refund if refund.amount > 0 else None

    def _refund_within_paid(
        self,
        amount: Decimal | str,
        rates: ExchangeRates,
        *,
        positive: bool = True,
        platform_pays: Policy | None = None,
    ) -> Money:
        """A refund of `amount` in the order's currency, refused if it would take the refunds
        past what the consumer paid; and first, if `positive`, unless it is a positive amount
        and, if `platform_pays` (its policy), beyond the platform's cap."""
        refund = Money(Decimal(amount), self.order_amount.currency)
        if positive:
            self._positive(refund)
        if platform_pays is not None:
            self._check_platform_cap(platform_pays, refund, rates)
        check_within_paid(self.order_amount, self.refunds, refund, rates)
        return refund

    @staticmethod
    def _positive(amount: Money) -> Money:
        if not amount.amount.is_finite() or amount.amount <= 0:
            raise InvalidField("amount", f"a refund must be a positive amount, not {amount}")
        return amount

    def _check_platform_cap(self, policy: Policy, amount: Money, rates: ExchangeRates) -> None:
        cap = platform_cap(policy, self.order_amount, self.fields, self.certified, rates)
        check_platform_payout(cap, self.platform_refunds(), amount, rates)

    def _record_refund(
        self,
        policy: Policy,
        by: By,
        amount: Money,
        payer: str,
        reason: str,
        resolution: str | None,
        *,
        awaits_consumer: bool = False,
        fired: dict[str, Any] | None = None,
    ) -> None:
        self._record(
            ev.Refunded,
            policy,
            by,
            qualifier=payer,
            amount=amount.amount,
            currency=amount.currency,
            payer=payer,
            reason=reason,
            resolution=resolution,
            awaits_consumer=awaits_consumer,
            **(fired or {"deadline_id": None}),
        )

    @property
    def order_amount(self) -> Money:
        return Money(Decimal(self.order["amount"]), self.order["currency"])

    def platform_refunds(self) -> list[Money]:
        return [
            Money(Decimal(r["amount"]), r["currency"])
            for r in self.refunds
            if r["payer"] == "platform"
        ]

    def pending(self, deadline_id: str) -> Deadline | None:
        return next((d for d in self.deadlines if d.id == deadline_id), None)

    def _require_step(self, policy: Policy, step: str) -> None:
        if step not in policy.steps:
            raise StepNotOffered(f"{policy.name} does not offer the step {step!r}")

    def _record(
        self,
        event_class: type[ev.CaseEvent],
        policy: Policy,
        by: By,
        *,
        qualifier: str | None = None,
        timeout: Deadline | None = None,
        deadlines: list[Deadline] | None = None,
        **data: Any,
    ) -> None:
        """Record one event with its deadlines and its link in the hash chain."""
        name = event_class.__name__
        version = self.version + 1
        if deadlines is None:
            deadlines = next_deadlines(
                policy,
                self.calendar,
                self.facts,
                self.deadlines,
                triggers(name, qualifier, timeout.kind if timeout else None),
                at=by.occurred_at,
                sequence=version,
                case_ends=ending_resolution(name, data) is not None,
                fired=timeout.id if timeout else None,
            )
        stored = [d.as_dict() for d in deadlines]
        actor = by.actor.as_dict()
        data = seal_personal(event_class.personal_fields, data)
        hashed = ev.hashed_data(event_class, data)
        payload = hash_payload(
            name, self.id, version, by.occurred_at, by.recorded_at, actor, stored, hashed
        )
        self.trigger_event(
            event_class,
            timestamp=by.recorded_at,
            occurred_at=by.occurred_at,
            actor=actor,
            deadlines=stored,
            prev_hash=self.head_hash,
            hash=chain_hash(self.head_hash, payload),
            **data,
        )


def resealed_hashes(events: list[ev.CaseEvent]) -> dict[str, str]:
    """The hashes a later `SubjectErased` vouches for, of events it sealed in place."""
    vouched: dict[str, str] = {}
    for event in events:
        if isinstance(event, ev.SubjectErased):
            vouched.update(event.resealed)
    return vouched


def verify_chain(events: list[ev.CaseEvent]) -> tuple[bool, int, str]:
    """Recompute the chain: (valid, events checked, head hash). An event recorded in
    plaintext and sealed in place by an erasure links by its original hash and is checked
    against the hash over its sealed bytes that the (chained) erasure event recorded."""
    vouched = resealed_hashes(events)
    head = GENESIS
    for count, event in enumerate(events, start=1):
        expected = event.expected_hash()
        sealed_in_place = vouched.get(f"c{event.originator_version}") == expected
        if event.prev_hash != head or (expected != event.hash and not sealed_in_place):
            return False, count, head
        head = event.hash
    return True, len(events), head
