"""Request and response bodies (separate models: `CaseCreate` in, `CasePublic` out)."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from domain.languages import is_language_tag
from domain.money import exponent
from domain.policies import PLATFORMS
from domain.policies.schema import Kind

Platform = Literal["biggrey", "globalbuy", "geli", "bigben", "buyippee"]
assert set(PLATFORMS) == set(Platform.__args__)  # type: ignore[attr-defined]

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


def _language_tag(tag: str) -> str:
    if not is_language_tag(tag):
        raise ValueError("not a BCP 47 language tag (e.g. fr, de-CH, zh-Hant-TW)")
    return tag


# BCP 47 syntax only, not any one engine's list of languages.
Language = Annotated[str, StringConstraints(max_length=64), AfterValidator(_language_tag)]


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
    consumer_id: Identifier | None = Field(None, description="staff imports only")
    submitted_at: AwareDatetime | None = Field(None, description="staff imports only")

    def platform_fields(self) -> dict[str, Any]:
        return {
            "goods_category": self.goods_category,
            "shelf_life_days": self.shelf_life_days,
            "days_left_at_signing": self.days_left_at_signing,
            "plan": self.plan,
            "declared_value": self.declared_value,
        }


class StoreCreate(In):
    id: Identifier
    platform: Platform
    name: ShortText
    certified: bool = False
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    language: Language | None = Field(
        None, description="the store's preferred language (default: its country's main one)"
    )


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
    decision: Literal["approve", "refuse", "refund_only", "reship"]
    note: Text | None = None


class ReturnShipment(In):
    carrier: ShortText
    waybill: ShortText


class Arbitration(In):
    reason: Text


class Suspend(In):
    reason: Text


class SuspensionProof(In):
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
    messages: list[dict[str, Any]] = Field(
        description="each with id, body, language, translations [{language, body, engine}] "
        "and, when a language is asked for (?lang= or Accept-Language), display_body"
    )
    text_translations: dict[str, list[dict[str, Any]]] = Field(
        default_factory=dict,
        description="translations of the other texts by text id (Submitted:1: the "
        "description; StoreClosed:N: a close note; ConsumerRejected:N: an explanation)",
    )
    display_description: str | None = None
    reminders: int
    warnings: int
    consumer_may_close: bool
    last_decision: str | None
    resolution: str | None
    head_hash: str


class CaseSummary(BaseModel):
    id: str
    platform: str
    store_id: str
    consumer_id: str
    kind: str
    status: str
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
    deadlines: list[DeadlinePublic]
    hash: str
    prev_hash: str
    chain: str | None = Field(
        None, description='"translations" for a translation (its own hash chain), else absent'
    )
    chain_version: int | None = None


class History(BaseModel):
    case_id: str
    events: list[HistoryEntry]


class ChainVerification(BaseModel):
    valid: bool
    events: int
    head_hash: str


class Verification(BaseModel):
    valid: bool
    events: int
    head_hash: str
    translations: ChainVerification | None = None


class StorePublic(BaseModel):
    id: str
    platform: str
    name: str
    certified: bool
    country: str
    timezone: str
    language: str
    warnings: int
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
