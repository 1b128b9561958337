"""The shape of a platform policy file. Validation names the field of any mistake."""

from __future__ import annotations

from datetime import time
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from domain.calendar import BusinessCalendar

CASE_KINDS = (
    "warranty_claim",
    "return_request",
    "exchange_request",
    "refund_only",
    "complaint",
    "seven_day_return",
    "counterfeit",
    "lost_parcel",
    "damaged_parcel",
)
Kind = Literal[
    "warranty_claim",
    "return_request",
    "exchange_request",
    "refund_only",
    "complaint",
    "seven_day_return",
    "counterfeit",
    "lost_parcel",
    "damaged_parcel",
]
# What the scheduler asks a case to do when one of its deadlines expires.
Action = Literal[
    "remind",
    "warn_and_escalate",
    "escalate",
    "auto_approve",
    "protection_refund",
    "allow_consumer_close",
    "close_gave_up",
    "resume",
    "flag_payout_overdue",
    "auto_refund",
    "flag_repayment_overdue",
]
Step = Literal[
    "decision",
    "return_shipment",
    "return_received",
    "arbitration",
    "suspend",
    "consumer_close",
    "consumer_escalate",
    "settlement",
    "diagnosis",
    "repayment",
]
SuspensionReason = Literal["judicial", "negotiation", "third_party"]
# Predicates a deadline rule may require of the case (all must hold).
CONDITION_PREFIXES = ("kind:", "not_kind:", "category:", "not_category:")
PLAIN_CONDITIONS = ("certified", "not_certified", "escalated", "not_escalated")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(Strict):
    """Exactly one unit; see PLATFORMS.md's vocabulary for what each means."""

    work_days: int | None = Field(None, gt=0)
    work_hours: Decimal | None = Field(None, gt=0)
    business_minutes: Decimal | None = Field(None, gt=0)
    hours: Decimal | None = Field(None, gt=0)
    days: Decimal | None = Field(None, gt=0)
    months: int | None = Field(None, gt=0)  # calendar months

    # The unit given and its amount, read once: every deadline armed asks for them.
    _unit: str = PrivateAttr("")
    _value: Decimal = PrivateAttr(Decimal(0))

    @model_validator(mode="after")
    def _exactly_one(self) -> Duration:
        given = [name for name, value in self if value is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of work_days, work_hours, business_minutes, "
                f"hours, days, months (got {given or 'none'})"
            )
        return self

    def model_post_init(self, context: Any, /) -> None:
        given = next(((n, v) for n, v in self if v is not None), ("", 0))
        self._unit, self._value = given[0], Decimal(given[1])

    @property
    def unit(self) -> str:
        return self._unit

    @property
    def value(self) -> Decimal:
        return self._value

    def describe(self) -> str:
        return f"{self.value} {self.unit.replace('_', ' ')}"


class DeadlineRule(Strict):
    """A timer the case arms when one of `start` happens, if every `when` holds."""

    kind: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    start: list[str] = Field(min_length=1)
    when: list[str] = []
    after: Duration
    # The instant the time counts from: the starting event's, or the order's delivery.
    counted_from: Literal["event", "delivered_at"] = "event"
    action: Action
    cancel_on: list[str] = []
    repeat: bool = False
    note: str = ""

    @model_validator(mode="after")
    def _conditions_known(self) -> DeadlineRule:
        for cond in self.when:
            if cond not in PLAIN_CONDITIONS and not cond.startswith(CONDITION_PREFIXES):
                raise ValueError(f"unknown condition {cond!r} in `when`")
        return self


class FilingWindow(Strict):
    """A request of these kinds must be filed within `hours` of the named order instant."""

    kinds: list[Kind] = Field(min_length=1)
    counted_from: Literal["completed_at", "delivered_at", "day_after_delivery"]
    hours: Decimal = Field(gt=0)
    note: str = ""


FieldValue = str | bool


class Eligibility(Strict):
    """Which requests of `kinds` are covered, read from the platform fields. The rule applies
    when every field in `when` holds one of its values; then each field in `only` must be given
    and hold one of its values, and no field in `never` may. A list field (`contents`) holds a
    value when any item is that value; under `only` every item must be allowed."""

    kinds: list[Kind] = Field(min_length=1)
    when: dict[str, list[FieldValue]] = {}
    only: dict[str, list[FieldValue]] = {}
    never: dict[str, list[FieldValue]] = {}
    note: str = Field(min_length=1)


class RequiredDocuments(Strict):
    """What a filing of `kinds` must carry: entries of its `documents` list, and platform
    fields given as references to uploaded files (bigben's `withdrawal_form`)."""

    kinds: list[Kind] = Field(min_length=1)
    documents: list[str] = []
    fields: list[str] = []
    note: str = ""


class Registration(Strict):
    """A parcel registered later than `within_hours` after reaching the overseas warehouse
    (`order.warehouse_arrived_at` to `order.registered_at`) has no claim."""

    kinds: list[Kind] = Field(min_length=1)
    within_hours: Decimal = Field(gt=0)
    note: str = ""


class CalendarSpec(Strict):
    country: str = Field(min_length=2, max_length=3)
    subdivision: str | None = None
    timezone: str
    business_hours: tuple[time, time] = (time(8), time(22))
    # When mail for a person goes out (local time, on the calendar's work days); a store may
    # register its own hours.
    contact_hours: tuple[time, time] = (time(8), time(20))
    store_calendar: bool = False  # biggrey: the store's own country and zone, when it has one

    def calendar(self) -> BusinessCalendar:
        return BusinessCalendar(
            self.country, self.timezone, *self.business_hours, subdivision=self.subdivision
        )


class MoneySpec(Strict):
    amount: Decimal = Field(ge=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")


class Plan(Strict):
    name: Literal["basic", "plus", "super_care"]
    fee_flat: Decimal | None = None
    fee_percent: Decimal | None = None
    fee_minimum: Decimal | None = None
    payout_percent: Decimal = Field(gt=0, le=100)
    payout_maximum: Decimal = Field(gt=0)
    new_goods_only: bool = False


class NearExpiry(Strict):
    shelf_life_max_days: int = Field(gt=0)
    days_left_max: int = Field(ge=0)
    unconditional: bool


class Protection(Strict):
    """A payout by the platform (payer `platform`)."""

    cap: MoneySpec | None = None
    plans: list[Plan] = []
    plan_currency: str | None = Field(None, pattern=r"^[A-Z]{3}$")
    certified_only: bool = False
    exclusions: list[str] = []


class Policy(Strict):
    platform: str = Field(pattern=r"^[a-z]+$")
    # Raised with every change: a case keeps following the version it was filed under.
    version: int = Field(ge=1)
    name: str
    seed: str
    kinds: list[Kind] = Field(min_length=1)
    steps: list[Step] = []
    calendar: CalendarSpec
    filing_windows: list[FilingWindow] = []
    deadlines: list[DeadlineRule] = []
    protection: Protection = Protection()
    near_expiry: list[NearExpiry] = []
    declared_value_kinds: list[Kind] = []  # filings that need a plan and a declared value
    eligibility: list[Eligibility] = []
    documents: list[RequiredDocuments] = []
    registration: Registration | None = None
    # How a case ends (PLATFORMS.md): who may take a case over, and who must approve what.
    platform_handles: list[Kind] = []  # kinds staff handle from filing (certified stores)
    escalation_certified_only: bool = False  # no escalation at all for non-certified stores
    consumer_approves_store_decisions: bool = False  # a full store refund waits for approval
    suspension_reasons: list[SuspensionReason] = []
    # Mail about these events goes out at once, whatever the hour (event tokens, as in
    # `start`): a payout ordered, a case escalated. Every other mail waits for contact hours.
    urgent_mail: list[str] = ["Escalated", "Refunded:platform", "PayoutOverdue"]
    # geli: a store refund short of the amount paid needs the consumer's agreement first
    # (a proposal the consumer approves); and no second return on an order once refunded.
    partial_refund_needs_consent: bool = False
    no_second_return_after_refund: bool = False
    notes: list[str] = []

    @model_validator(mode="after")
    def _consistent(self) -> Policy:
        if self.suspension_reasons and "suspend" not in self.steps:
            raise ValueError("suspension_reasons given, but the policy offers no `suspend` step")
        named = [
            *(("filing window", w.kinds) for w in self.filing_windows),
            *(("eligibility rule", e.kinds) for e in self.eligibility),
            *(("documents rule", d.kinds) for d in self.documents),
            *([("registration rule", self.registration.kinds)] if self.registration else []),
            ("declared_value_kinds", self.declared_value_kinds),
            ("platform_handles", self.platform_handles),
        ]
        for section, kinds in named:
            extra = set(kinds) - set(self.kinds)
            if extra:
                raise ValueError(f"{section} names kinds the policy does not offer: {extra}")
        for rule in self.deadlines:
            for cond in rule.when:
                if (
                    cond.split(":", 1)[0] in ("kind", "not_kind")
                    and cond.split(":", 1)[1] not in CASE_KINDS
                ):
                    raise ValueError(f"deadline {rule.kind!r}: unknown kind in {cond!r}")
        return self

    def plan(self, name: str) -> Plan | None:
        return next((p for p in self.protection.plans if p.name == name), None)
