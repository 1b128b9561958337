"""Request and response bodies (separate models: `CaseCreate` in, `CasePublic` out)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from domain.case_events import RESOLUTIONS
from domain.money import exponent
from domain.policies import PLATFORMS
from domain.policies.schema import Kind

Platform = Literal["biggrey", "globalbuy", "geli", "bigben", "buyippee"]
assert set(PLATFORMS) == set(Platform.__args__)  # type: ignore[attr-defined]
Resolution = Literal[
    "agreed",
    "refunded",
    "auto_approved",
    "ruled_for_consumer",
    "ruled_for_store",
    "protection_refund",
    "consumer_closed",
    "consumer_gave_up",
    "withdrawn",
]
assert Resolution.__args__ == RESOLUTIONS  # type: ignore[attr-defined]

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")
]
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
# A positive decimal string: no exponent, no NaN or Infinity, at most 3 decimal places here
# (the currency's own exponent is checked by the model).
Amount = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,3})?$")]
# No NUL (0x00) in text: PostgreSQL cannot store it, so a read model holding the text would
# fail on it for good (the projector stuck on that event); no one means to send it anyway.
NO_NUL = r"^[^\x00]*$"
Text = Annotated[str, StringConstraints(min_length=1, max_length=10_000, pattern=NO_NUL)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NO_NUL)]
Language = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")]


class In(BaseModel):
    model_config = ConfigDict(extra="forbid")


def check_amount(amount: str, currency: str, field: str) -> None:
    value = Decimal(amount)
    if value <= 0:
        raise ValueError(f"{field} must be positive")
    places = -value.as_tuple().exponent  # type: ignore[operator]
    if places > max(2, exponent(currency)):
        raise ValueError(f"{field} has more decimal places than {currency} allows")


class MoneyIn(In):
    """An amount in a currency: positive, within the currency's decimal places."""

    amount: Amount
    currency: Currency

    @model_validator(mode="after")
    def _amount(self) -> MoneyIn:
        check_amount(self.amount, self.currency, "amount")
        return self


class OrderIn(MoneyIn):
    reference: ShortText
    completed_at: AwareDatetime | None = None
    delivered_at: AwareDatetime | None = None
    warehouse_arrived_at: AwareDatetime | None = Field(
        None, description="buyippee: the parcel reached the overseas warehouse"
    )
    registered_at: AwareDatetime | None = Field(None, description="buyippee: parcel registered")


# A name from a short vocabulary: a document kind, a content, a packaging.
Term = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class CaseCreate(In):
    platform: Platform
    store_id: Identifier
    kind: Kind
    order: OrderIn
    description: Text
    language: Language | None = None
    goods_category: Annotated[str, StringConstraints(max_length=64, pattern=NO_NUL)] | None = None
    shelf_life_days: int | None = Field(None, ge=0, le=36_500)
    days_left_at_signing: int | None = Field(None, ge=0, le=36_500)
    plan: Literal["basic", "plus", "super_care"] | None = None
    declared_value: Amount | None = None
    no_reason_return: bool | None = Field(None, description="goods marked for seven-day returns")
    withdrawal_form: ShortText | None = Field(None, description="bigben: the signed form's upload")
    documents: list[Term] | None = Field(None, max_length=50, description="document kinds given")
    origin_country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    seller_accepts_return: bool | None = None
    contents: list[Term] | None = Field(None, max_length=50, description="e.g. battery, liquid")
    packaging: Term | None = Field(None, description="e.g. cardboard, wooden")
    fragile_protection: bool | None = Field(None, description="fragile goods properly protected")
    condition: Literal["new", "used"] | None = None
    lost_at: Literal["before_warehouse", "after_warehouse"] | None = None
    partial: bool | None = Field(None, description="only part of the parcel was lost")
    refund_amount: Amount | None = Field(
        None, description="what a `refund_only` request asks for (default: the amount paid)"
    )
    consumer_id: Identifier | None = Field(None, description="staff imports only")
    submitted_at: AwareDatetime | None = Field(None, description="staff imports only")

    def platform_fields(self) -> dict[str, Any]:
        return {
            "goods_category": self.goods_category,
            "shelf_life_days": self.shelf_life_days,
            "days_left_at_signing": self.days_left_at_signing,
            "plan": self.plan,
            "declared_value": self.declared_value,
            "no_reason_return": self.no_reason_return,
            "withdrawal_form": self.withdrawal_form,
            "documents": self.documents,
            "origin_country": self.origin_country,
            "seller_accepts_return": self.seller_accepts_return,
            "contents": self.contents,
            "packaging": self.packaging,
            "fragile_protection": self.fragile_protection,
            "condition": self.condition,
            "lost_at": self.lost_at,
            "partial": self.partial,
            "refund_amount": self.refund_amount,
        }


class StoreCreate(In):
    id: Identifier
    platform: Platform
    name: ShortText
    certified: bool = False
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    subdivision: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,5}$")] | None = Field(
        None, description="as the `holidays` package names it, e.g. ENG (GB defaults to ENG)"
    )
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    language: Language | None = Field(None, description="the store's preferred language")


class ApiKeyCreate(In):
    role: Literal["consumer", "store", "staff", "ops", "admin"]
    subject: Identifier
    store_ids: list[Identifier] = Field(default_factory=list, max_length=1000)


class Respond(In):
    message: Text | None = None


class MessageIn(In):
    body: Text
    language: Language | None = None


class StoreClose(In):
    decision: Literal["refund", "replace", "repair", "reject", "other"]
    note: Text | None = None
    refund_amount: Amount | None = None


class Reject(In):
    explanation: Annotated[str, StringConstraints(max_length=10_000, pattern=NO_NUL)]


class Escalate(In):
    reason: Text | None = None


class RefundIn(MoneyIn):
    payer: Literal["store", "platform"]
    reason: ShortText | None = None


class Withdraw(In):
    reason: Text | None = None


class Decision(In):
    decision: Literal["approve", "refuse", "refund_only", "reship", "consumer_gave_up"]
    note: Text | None = None


class ReturnShipment(In):
    carrier: ShortText
    waybill: ShortText


class Arbitration(In):
    reason: Text


class Suspend(In):
    reason: Literal["judicial", "negotiation", "third_party"]
    note: Text | None = None


class Ruling(In):
    """Staff decide an escalated case."""

    in_favour_of: Literal["consumer", "store"]
    refund_amount: Amount | None = None
    payer: Literal["store", "platform"] | None = None
    note: Text


class Settlement(In):
    reference: ShortText


class StoreWarning(In):
    reason: Text


class Revocation(In):
    reason: Text


class Certification(In):
    evidence: Text


class SuspensionProof(In):
    reference: ShortText
    authority: Literal["court", "police"]


class Diagnosis(In):
    outcome: Literal["return_needed", "fixed_remotely", "not_covered"]
    note: Text | None = None


class Repayment(In):
    reference: ShortText


class PayoutConfirmation(In):
    reference: ShortText


class Empty(In):
    """No fields."""


# -- responses ---------------------------------------------------------------------------------


class DeadlinePublic(BaseModel):
    id: str
    kind: str
    due_at: AwareDatetime
    action: str


class PausedDeadline(BaseModel):
    id: str
    kind: str
    action: str
    remaining_seconds: int


class RefundPublic(BaseModel):
    amount: str
    currency: str
    payer: str
    reason: str
    at: AwareDatetime


class CasePublic(BaseModel):
    id: str
    platform: str
    policy_version: int = Field(description="the platform policy version the case follows")
    store_id: str
    consumer_id: str
    kind: str
    status: str
    version: int
    order: dict[str, Any]
    description: str
    language: str | None
    fields: dict[str, Any]
    created_at: AwareDatetime
    updated_at: AwareDatetime
    deadlines: list[DeadlinePublic]
    paused_deadlines: list[PausedDeadline]
    refunds: list[RefundPublic]
    messages: list[dict[str, Any]]
    reminders: int
    warnings: int
    consumer_may_close: bool
    last_decision: str | None
    resolution: str | None = Field(
        description="how the case ended: agreed, refunded, auto_approved, ruled_for_consumer, "
        "ruled_for_store, protection_refund, consumer_closed, consumer_gave_up or withdrawn"
    )
    escalated: bool = Field(description="staff have had the case")
    proposal: dict[str, Any] | None = Field(
        description="what the consumer is asked to approve: {decision, note, refund_amount}"
    )
    ruling: dict[str, Any] | None
    settlement: dict[str, Any] | None
    head_hash: str


class CaseSummary(BaseModel):
    id: str
    platform: str
    store_id: str
    consumer_id: str
    kind: str
    status: str
    resolution: Resolution | None = Field(
        default=None, description="how the case ended; null while it goes on"
    )
    version: int
    created_at: AwareDatetime
    updated_at: AwareDatetime
    next_due_at: AwareDatetime | None


class CaseList(BaseModel):
    items: list[CaseSummary]
    next_cursor: str | None


class HistoryEntry(BaseModel):
    version: int
    type: str
    occurred_at: AwareDatetime
    recorded_at: AwareDatetime
    actor: dict[str, str]
    data: dict[str, Any]
    resolution: Resolution | None = Field(
        description="how the case ended, when this event ended it; null: the case went on"
    )
    deadlines: list[DeadlinePublic]
    hash: str
    prev_hash: str


class History(BaseModel):
    case_id: str
    events: list[HistoryEntry]


class ExplainedSegment(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    from_: AwareDatetime = Field(alias="from")
    to: AwareDatetime
    counted: bool
    reason: str


class DeadlineExplanation(BaseModel):
    deadline_id: str
    kind: str
    action: str
    policy: str
    policy_version: int | None
    row: str = Field(description="the policy row's note")
    started_by: dict[str, Any] = Field(description="the event that started the clock")
    started_at: AwareDatetime
    budget: str = Field(description='e.g. "2 full work days", "120 business minutes"')
    calendar: dict[str, str]
    segments: list[ExplainedSegment]
    due_at: AwareDatetime
    due_at_local: str
    outcome: str = Field(description="pending, fired (and what it did) or cancelled (by what)")


class Verification(BaseModel):
    valid: bool
    events: int
    head_hash: str


class StorePublic(BaseModel):
    id: str
    platform: str
    name: str
    certified: bool
    country: str
    subdivision: str | None = None
    timezone: str
    language: str | None = None
    warnings: int = Field(description="warnings since the certificate was (last) granted")
    warnings_total: int = 0
    reapply_after: AwareDatetime | None
    revocation_reason: str | None
    version: int


class ApiKeyPublic(BaseModel):
    id: str
    token: str = Field(description="shown once; only its hash is stored")
    role: str
    subject: str
    store_ids: list[str]


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    rule: str | None = None
    errors: list[dict[str, Any]] | None = None
