"""Request and response bodies (separate models: `CaseCreate` in, `CasePublic` out)."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from datetime import time as time_type
from decimal import Decimal
from typing import Annotated, Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from domain.money import exponent, is_currency
from domain.policies import PLATFORMS
from domain.policies.schema import Kind
from domain.statuses import Resolution, Status
from services.case_view import (
    CasePublic as CasePublic,
)
from services.case_view import (
    DeadlinePublic as DeadlinePublic,
)

Platform = Literal["biggrey", "globalbuy", "geli", "bigben", "buyippee"]
assert set(PLATFORMS) == set(Platform.__args__)  # type: ignore[attr-defined]

Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@-]*$")
]


def _iso_4217(code: str) -> str:
    if not is_currency(code):
        raise ValueError(f"{code} is not an ISO 4217 currency in use")
    return code


Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$"), AfterValidator(_iso_4217)]
# A positive decimal string: no exponent, no NaN or Infinity, at most 3 decimal places here
# (the currency's own exponent is checked by the model).
Amount = Annotated[str, StringConstraints(pattern=r"^(0|[1-9][0-9]{0,11})(\.[0-9]{1,3})?$")]

# Characters no name or free text may hold: C0 and C1 controls (NUL, which PostgreSQL cannot
# store, among them: a read model holding it would stall on that event) and the bidirectional
# overrides and isolates that make text display in another order than it is stored.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_NAME_FORBIDDEN = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")
_TEXT_FORBIDDEN = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_BIDI}]")  # keeps \t \n \r


def _clean(forbidden: re.Pattern[str]) -> Any:
    def check(text: str) -> str:
        if (found := forbidden.search(text)) is not None:
            name = unicodedata.name(found.group(), "a control character")
            raise ValueError(f"U+{ord(found.group()):04X} ({name}) is not allowed here")
        return text

    return AfterValidator(check)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be only whitespace")
    return text


NotBlank = AfterValidator(_not_blank)
Text = Annotated[
    str, StringConstraints(min_length=1, max_length=10_000), _clean(_TEXT_FORBIDDEN), NotBlank
]
OptionalText = Annotated[str, StringConstraints(max_length=10_000), _clean(_TEXT_FORBIDDEN)]
ShortText = Annotated[
    str, StringConstraints(min_length=1, max_length=500), _clean(_NAME_FORBIDDEN), NotBlank
]
# A well-formed BCP 47 tag (RFC 5646 langtag or private use), at most 35 characters (the
# length RFC 5646 section 4.4.1 asks every implementation to support).
_BCP47 = (
    r"^(([A-Za-z]{2,3}(-[A-Za-z]{3}){0,3}|[A-Za-z]{4,8})(-[A-Za-z]{4})?"
    r"(-([A-Za-z]{2}|[0-9]{3}))?(-([A-Za-z0-9]{5,8}|[0-9][A-Za-z0-9]{3}))*"
    r"(-[0-9A-WY-Za-wy-z](-[A-Za-z0-9]{2,8})+)*(-[Xx](-[A-Za-z0-9]{1,8})+)?"
    r"|[Xx](-[A-Za-z0-9]{1,8})+)$"
)
Language = Annotated[str, StringConstraints(max_length=35, pattern=_BCP47)]
StrictInt = Annotated[int, Strict()]
StrictBool = Annotated[bool, Strict()]

# Every instant a client sends lies in this range: wide enough for any real order or case,
# narrow enough that adding a deadline or converting a time zone can never overflow.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_ISO_8601 = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:?\d{2})"
)


def _iso_string(value: Any) -> Any:
    """Only an ISO 8601 string with an offset: no epoch numbers, no local times."""
    if isinstance(value, datetime):  # already parsed (a default, or a test's own value)
        return value
    if not isinstance(value, str) or not _ISO_8601.fullmatch(value):
        raise ValueError("an ISO 8601 date and time with an offset, e.g. 2026-05-01T09:30:00Z")
    return datetime.fromisoformat(value.upper())


def in_range(value: datetime) -> datetime:
    # The naive check first: comparing an aware 9999-12-31T23:59-05:00 would overflow.
    if not EARLIEST.year <= value.year < LATEST.year or not EARLIEST <= value < LATEST:
        raise ValueError(f"must lie between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    return value


Instant = Annotated[
    AwareDatetime,
    BeforeValidator(_iso_string),
    AfterValidator(in_range),
    Field(json_schema_extra={"format": "date-time"}),
]
_INSTANT: TypeAdapter[datetime] = TypeAdapter(Instant)


def parse_instant(field: str, text: str) -> datetime:
    """An `Instant` read where pydantic does not (a query parameter checked after scope)."""
    try:
        return _INSTANT.validate_python(text)
    except ValidationError as invalid:
        message = invalid.errors()[0]["msg"].removeprefix("Value error, ")
        raise RequestValidationError(
            [{"loc": ("query", field), "msg": message, "type": "value_error"}]
        ) from None


class In(BaseModel):
    """A request body: unknown fields refused. Give integers, booleans and instants the types
    `StrictInt`, `StrictBool` and `Instant`: JSON's own types only (no `"true"`, `"30"` or
    `30.0`; no epoch numbers). Not `strict=True` on the model: FastAPI validates the decoded
    Python objects, where strict mode would refuse every date and decimal given as a string."""

    model_config = ConfigDict(extra="forbid")


def check_amount(amount: str, currency: str, field: str) -> None:
    value = Decimal(amount)
    if value <= 0:
        raise ValueError(f"{field} must be positive")
    places = -value.as_tuple().exponent  # type: ignore[operator]
    if places > exponent(currency):
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
    completed_at: Instant | None = None
    delivered_at: Instant | None = None
    warehouse_arrived_at: Instant | None = Field(
        None, description="buyippee: the parcel reached the overseas warehouse"
    )
    registered_at: Instant | None = Field(None, description="buyippee: parcel registered")


# A name from a short vocabulary: a document kind, a content, a packaging.
Term = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


class CaseCreate(In):
    platform: Platform
    store_id: Identifier
    kind: Kind
    order: OrderIn
    description: Text
    language: Language | None = None
    goods_category: (
        Annotated[str, StringConstraints(max_length=64), _clean(_NAME_FORBIDDEN)] | None
    ) = None
    shelf_life_days: StrictInt | None = Field(None, ge=0, le=36_500)
    days_left_at_signing: StrictInt | None = Field(None, ge=0, le=36_500)
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
    submitted_at: Instant | None = Field(None, description="staff imports only")

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


class ContactHours(In):
    opens: time_type
    closes: time_type

    @model_validator(mode="after")
    def _ordered(self) -> ContactHours:
        if self.closes <= self.opens:
            raise ValueError("closes must be after opens")
        return self


class StoreCreate(In):
    id: Identifier
    platform: Platform
    name: ShortText
    certified: StrictBool = False
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    subdivision: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,3}$")] | None = Field(
        None, description="the region whose public holidays apply (a `holidays` code, e.g. ENG)"
    )
    timezone: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    language: Language | None = Field(
        None, description="the store's preferred language (default: its country's main one)"
    )
    contact_hours: ContactHours | None = Field(
        None,
        description="when mail reaches the store's people, local time on work days "
        "(default: the platform's, 08:00-20:00)",
    )

    def contact_hours_given(self) -> list[str] | None:
        hours = self.contact_hours
        return (
            [hours.opens.isoformat("minutes"), hours.closes.isoformat("minutes")] if hours else None
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
    explanation: OptionalText


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


class ErasureRequest(In):
    reason: Text = Field(description="why the subject is erased (kept: write no personal data)")


class ErasurePublic(BaseModel):
    subject_id: str
    cases: list[str] = Field(description="the cases about the subject, now erased of them")
    erased_at: AwareDatetime


class SubjectExport(BaseModel):
    subject_id: str
    exported_at: AwareDatetime
    cases: list[dict[str, Any]] = Field(
        description="each {case: the case body, history: its events and translations}"
    )


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


class CaseSummary(BaseModel):
    id: str
    platform: str
    store_id: str
    consumer_id: str
    kind: str
    status: Status
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
    chain: str | None = Field(
        None, description='"translations" for a translation (its own hash chain), else absent'
    )
    chain_version: int | None = None


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
    subdivision: str | None = None
    timezone: str
    language: str = Field(description="the language chosen, else its country's main one")
    contact_hours: list[str] | None = Field(
        None, description='its own contact hours, e.g. ["09:00", "18:00"] (null: the platform\'s)'
    )
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


class ApiKeySummary(BaseModel):
    id: str
    role: str
    subject: str
    store_ids: list[str]
    created_at: AwareDatetime
    revoked_at: AwareDatetime | None


class ApiKeyList(BaseModel):
    items: list[ApiKeySummary]
    next_cursor: str | None = Field(description="the `after` for the next page, if any")


class ProblemDetails(BaseModel):
    type: str
    title: str
    status: int
    detail: str
    rule: str | None = None
    errors: list[dict[str, Any]] | None = None
