"""The events of a case. Each one's `evolve` is its whole effect on the case's state."""

from __future__ import annotations

from dataclasses import fields as dataclass_fields
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.calendar import BusinessCalendar
from domain.deadlines import Deadline
from domain.hashchain import chain_hash
from domain.sealing import PERSONAL_FIELD_KEYS, erased_text, hashed, scrubbed
from domain.state import CaseState
from domain.statuses import Status

# Fields every case event has; the rest of an event's fields are its `data`.
COMMON_FIELDS = frozenset(
    {
        "originator_id",
        "originator_version",
        "timestamp",
        "originator_topic",
        "occurred_at",
        "actor",
        "deadlines",
        "prev_hash",
        "hash",
    }
)


def hash_payload(
    event_type: str,
    case_id: UUID,
    version: int,
    occurred_at: datetime,
    recorded_at: datetime,
    actor: dict[str, str],
    deadlines: list[dict[str, Any]],
    data: dict[str, Any],
) -> dict[str, Any]:
    return {
        "type": event_type,
        "case_id": case_id,
        "version": version,
        "occurred_at": occurred_at,
        "recorded_at": recorded_at,
        "actor": actor,
        "deadlines": deadlines,
        "data": data,
    }


def hashed_data(event_class: type[CaseEvent], data: dict[str, Any]) -> dict[str, Any]:
    """The data an event's hash covers: a field added by a later class version is left out
    while it holds the value its upcaster gives older events, so their hashes still verify."""
    added = event_class.upcast_defaults
    return {k: hashed(v) for k, v in data.items() if k not in added or v != added[k]}


def ending_resolution(event_type: str, data: dict[str, Any]) -> str | None:
    """The resolution an event of this type and data ends its case with, or None if the case
    goes on. Events recorded before resolutions were named derive theirs from what they did
    then (their upcasters supply it)."""
    match event_type:
        case "ConsumerApproved":
            return "agreed"
        case "Withdrawn":
            return "withdrawn"
        case "Closed":
            return str(data["reason"])
        case "Refunded" if data.get("reason") == "purchase_protection" and data.get("resolution"):
            return "protection_refund"  # a first-edition payout read back as `refunded`
        case "Refunded" | "AutoApproved" | "Ruled":
            resolution: str | None = data.get("resolution")
            return resolution
    return None


@cache
def _data_fields(event_class: type) -> tuple[str, ...]:
    """The event's own fields (computed once per class: history reads thousands)."""
    return tuple(f.name for f in dataclass_fields(event_class) if f.name not in COMMON_FIELDS)


class CaseEvent(Aggregate.Event):
    occurred_at: datetime
    actor: dict[str, str]
    deadlines: list[dict[str, Any]]
    prev_hash: str
    hash: str

    # Fields added by upcasting, with the value events recorded before them are given.
    upcast_defaults: ClassVar[dict[str, Any]] = {}
    # Fields holding personal data, sealed under the case's data subject (domain.sealing);
    # in `fields`, only the keys named in PERSONAL_FIELD_KEYS.
    personal_fields: ClassVar[tuple[str, ...]] = ()

    def apply(self, aggregate: Any) -> None:
        case: CaseState = aggregate
        case.deadlines = [Deadline.from_dict(d) for d in self.deadlines]
        case.head_hash = self.hash
        case.updated_at = self.occurred_at
        self.evolve(case)

    def evolve(self, case: CaseState) -> None:
        """The event's own effect on the case."""

    @property
    def data(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in _data_fields(type(self))}

    @property
    def resolution_recorded(self) -> str | None:
        """The resolution this event ended its case with (None: the case went on)."""
        return ending_resolution(type(self).__name__, self.data)

    def expected_hash(self) -> str:
        payload = hash_payload(
            type(self).__name__,
            self.originator_id,
            self.originator_version,
            self.occurred_at,
            self.timestamp,
            self.actor,
            self.deadlines,
            hashed_data(type(self), self.data),
        )
        return chain_hash(self.prev_hash, payload)


class Submitted(Aggregate.Created, CaseEvent):
    """Version 2 added `policy_version`: the version of the policy the case follows for good."""

    personal_fields: ClassVar[tuple[str, ...]] = ("description", "fields")

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"policy_version": 1}

    platform: str
    store_id: str
    consumer_id: str
    kind: str
    order: dict[str, Any]
    description: str
    language: str | None
    fields: dict[str, Any]
    certified: bool
    calendar: dict[str, str]
    refund_without_return: bool | None
    policy_version: int

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["policy_version"] = 1  # every case before versioned policies followed version 1

    def evolve(self, case: CaseState) -> None:
        case.policy_version = self.policy_version
        case.platform, case.store_id, case.consumer_id = (
            self.platform,
            self.store_id,
            self.consumer_id,
        )
        case.kind, case.order, case.description = self.kind, self.order, self.description
        case.language, case.fields, case.certified = self.language, self.fields, self.certified
        case.calendar = BusinessCalendar.from_dict(self.calendar)
        case.refund_without_return = self.refund_without_return
        case.created_at = self.occurred_at


class StoreResponded(CaseEvent):
    personal_fields: ClassVar[tuple[str, ...]] = ("message",)
    message: str | None

    def evolve(self, case: CaseState) -> None:
        if case.status == Status.AWAITING_STORE:
            case.status = Status.IN_PROGRESS
        if self.message:
            case.add_message(
                self.originator_version, self.actor, self.occurred_at, self.message, case.language
            )


class MessagePosted(CaseEvent):
    """Version 2 added `attachments`: references to files uploaded with the message."""

    personal_fields: ClassVar[tuple[str, ...]] = ("body",)

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"attachments": []}

    body: str
    language: str | None
    attachments: list[str]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["attachments"] = []  # messages before version 2 had no attachments

    def evolve(self, case: CaseState) -> None:
        case.add_message(
            self.originator_version,
            self.actor,
            self.occurred_at,
            self.body,
            self.language,
            self.attachments,
        )


class Reminded(CaseEvent):
    deadline_id: str
    count: int

    def evolve(self, case: CaseState) -> None:
        case.reminders = self.count


class Warned(CaseEvent):
    deadline_id: str
    count: int

    def evolve(self, case: CaseState) -> None:
        case.warnings = self.count


class Escalated(CaseEvent):
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)
    reason: str
    deadline_id: str | None
    note: str | None

    def evolve(self, case: CaseState) -> None:
        case.status, case.escalated = Status.ESCALATED, True


class StoreClosed(CaseEvent):
    """The store's proposal: the case waits for the consumer to approve or reject it."""

    personal_fields: ClassVar[tuple[str, ...]] = ("note",)

    decision: str
    note: str | None
    refund_amount: Decimal | None

    def evolve(self, case: CaseState) -> None:
        case.status = Status.AWAITING_CONSUMER
        case.last_decision = f"close:{self.decision}"
        case.proposal = {
            "decision": self.decision,
            "note": self.note,
            "refund_amount": self.refund_amount,
        }


class ConsumerApproved(CaseEvent):
    def evolve(self, case: CaseState) -> None:
        case.end("agreed")


class ConsumerRejected(CaseEvent):
    """Back to whoever had the case: the store, or staff if it had been escalated."""

    personal_fields: ClassVar[tuple[str, ...]] = ("explanation",)

    explanation: str

    def evolve(self, case: CaseState) -> None:
        case.status, case.proposal = (
            (Status.ESCALATED if case.escalated else Status.IN_PROGRESS),
            None,
        )


class AutoApproved(CaseEvent):
    """The merchant stayed silent: the effect of its `approve`. Version 2 added `resolution`:
    events before it ended the case (`auto_approved`); now only a `refund_only` request's
    refund ends it, and a return goes on with the consumer's shipment."""

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"resolution": "auto_approved"}

    deadline_id: str
    resolution: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["resolution"] = "auto_approved"

    def evolve(self, case: CaseState) -> None:
        case.last_decision = "approve"
        if self.resolution:
            case.end(self.resolution)
        else:
            case.status = Status.IN_PROGRESS


class Refunded(CaseEvent):
    """Money back to the consumer. Version 2 added `resolution` (the case ends with it; None:
    it goes on) and `awaits_consumer` (a store refund the consumer must answer). Before it,
    every refund ended the case as `refunded`."""

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"resolution": "refunded", "awaits_consumer": False}

    amount: Decimal
    currency: str
    payer: str
    reason: str
    deadline_id: str | None
    resolution: str | None
    awaits_consumer: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["resolution"], state["awaits_consumer"] = "refunded", False

    def evolve(self, case: CaseState) -> None:
        case.refunds.append(
            {
                "amount": self.amount,
                "currency": self.currency,
                "payer": self.payer,
                "reason": self.reason,
                "at": self.occurred_at,
            }
        )
        if self.resolution:
            case.end(ending_resolution("Refunded", self.data) or self.resolution)
        elif self.awaits_consumer:
            case.status = Status.AWAITING_CONSUMER
            case.proposal = {"decision": "refund", "note": None, "refund_amount": None}


class Ruled(CaseEvent):
    """Staff's ruling on an escalated case. For the store it ends the case; for the consumer
    with an amount, the `Refunded` that follows ends it; without one the case stays with
    staff, marked ruled for the consumer."""

    personal_fields: ClassVar[tuple[str, ...]] = ("note",)

    in_favour_of: str
    refund_amount: Decimal | None
    payer: str | None
    note: str
    resolution: str | None

    def evolve(self, case: CaseState) -> None:
        case.ruling = {
            "in_favour_of": self.in_favour_of,
            "refund_amount": self.refund_amount,
            "payer": self.payer,
            "note": self.note,
            "at": self.occurred_at,
        }
        if self.resolution:
            case.end(self.resolution)


class Closed(CaseEvent):
    reason: str
    deadline_id: str | None

    def evolve(self, case: CaseState) -> None:
        case.end(self.reason)


class Withdrawn(CaseEvent):
    personal_fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: str | None

    def evolve(self, case: CaseState) -> None:
        case.end("withdrawn", Status.WITHDRAWN)


class Suspended(CaseEvent):
    """`reason`: judicial, negotiation (globalbuy) or third_party (biggrey). Version 2 added
    `note`: before it, the reason was free text."""

    personal_fields: ClassVar[tuple[str, ...]] = ("note",)

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"note": None}

    reason: str
    paused: list[dict[str, Any]]
    previous_status: str
    note: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["note"] = None

    def evolve(self, case: CaseState) -> None:
        case.status_before_suspension, case.status = self.previous_status, Status.SUSPENDED
        case.paused_deadlines, case.suspension_reason = self.paused, self.reason


class SuspensionProofRecorded(CaseEvent):
    """A court or the police accepted the matter. Version 2 added `authority` (`court` or
    `police`); proofs recorded before it named none."""

    class_version = 2
    upcast_defaults: ClassVar[dict[str, Any]] = {"authority": None}

    reference: str
    authority: str | None

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["authority"] = None


class Resumed(CaseEvent):
    restored_status: str
    deadline_id: str | None

    def evolve(self, case: CaseState) -> None:
        case.status, case.status_before_suspension = self.restored_status, None
        case.paused_deadlines = []


class DecisionMade(CaseEvent):
    personal_fields: ClassVar[tuple[str, ...]] = ("note",)
    decision: str
    note: str | None

    def evolve(self, case: CaseState) -> None:
        case.last_decision = self.decision
        case.status = Status.IN_PROGRESS if self.decision == "approve" else Status.AWAITING_CONSUMER


class ReturnShipped(CaseEvent):
    carrier: str
    waybill: str

    def evolve(self, case: CaseState) -> None:
        case.return_shipment = {
            "carrier": self.carrier,
            "waybill": self.waybill,
            "shipped_at": self.occurred_at,
        }
        if case.status == Status.AWAITING_STORE:
            case.status = Status.IN_PROGRESS


class ReturnReceived(CaseEvent):
    def evolve(self, case: CaseState) -> None:
        case.return_received = True
        if case.status == Status.AWAITING_STORE:
            case.status = Status.IN_PROGRESS


class ConsumerCloseAllowed(CaseEvent):
    deadline_id: str

    def evolve(self, case: CaseState) -> None:
        case.consumer_may_close = True


class PayoutOverdue(CaseEvent):
    deadline_id: str


class PayoutHeld(CaseEvent):
    """The protection payout could not be computed (no exchange rate); staff must act."""

    deadline_id: str
    reason: str


class PayoutConfirmed(CaseEvent):
    reference: str


class DiagnosisRecorded(CaseEvent):
    """Bigben's pre-diagnosis of a warranty claim: the goods go back only if `return_needed`."""

    personal_fields: ClassVar[tuple[str, ...]] = ("note",)

    outcome: str
    note: str | None

    def evolve(self, case: CaseState) -> None:
        case.diagnosis = self.outcome
        if case.status == Status.AWAITING_STORE:
            case.status = Status.IN_PROGRESS


class RepaymentRecorded(CaseEvent):
    """Geli: the merchant repaid the platform's advance."""

    reference: str


class RepaymentOverdue(CaseEvent):
    """Geli: the merchant did not repay the platform's advance within its limit."""

    deadline_id: str


class PolicyVersionChanged(CaseEvent):
    """An operator moved the case to another version of its platform's policy. `moved`: each
    pending deadline whose due time changed ({deadline_id, kind, due_before, due_after}; a
    `due_after` of None: the version has no such row, the deadline is dropped). Earlier
    events, and the deadlines they breached, stay as they were."""

    from_version: int
    to_version: int
    moved: list[dict[str, Any]]

    def evolve(self, case: CaseState) -> None:
        case.policy_version = self.to_version


class SettlementRecorded(CaseEvent):
    """Biggrey and the store settled internally: a protection payout then spares the store."""

    reference: str

    def evolve(self, case: CaseState) -> None:
        case.settlement = {"reference": self.reference, "at": self.occurred_at}


class SubjectErased(CaseEvent):
    """The case's data subject was erased: the keys sealing their data are shredded, so
    every sealed value of the case reads `[erased]` from now on. `key_ids`: the keys erased
    (random ids, no personal data). `resealed`: events recorded before sealing existed
    (plaintext, hashed as such) that the erasure sealed in place, by version, with the hash
    each now has over its sealed bytes (`c<version>` a case event, `t<version>` a translation);
    the chain accepts such an event under either hash (domain.case.verify_chain)."""

    subject_id: str
    reason: str
    key_ids: list[str]
    resealed: dict[str, str]

    def evolve(self, case: CaseState) -> None:
        erased = frozenset(self.key_ids)
        # Older snapshots predate the attribute.
        case.erased_keys = sorted(set(getattr(case, "erased_keys", [])) | erased)
        for name in ("description", "fields", "messages", "proposal", "ruling"):
            setattr(case, name, scrubbed(getattr(case, name), erased))
        # Text recorded before sealing is plain: every personal slot of the case holds only
        # text written before this erasure, so a plain one is erased too (an aggregate
        # another process cached before the erasure still holds it).
        case.description = erased_text(case.description)
        case.fields = {
            k: erased_text(v) if k in PERSONAL_FIELD_KEYS else v for k, v in case.fields.items()
        }
        case.messages = [{**m, "body": erased_text(m["body"])} for m in case.messages]
        for slot in ("proposal", "ruling"):
            if (held := getattr(case, slot)) is not None and held.get("note") is not None:
                setattr(case, slot, {**held, "note": erased_text(held["note"])})
