"""Checks made when a case is filed: kind offered, filing windows, platform fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.calendar import BusinessCalendar
from domain.errors import (
    AlreadyRefunded,
    DeclaredBelowReceipt,
    FilingWindowClosed,
    InvalidField,
    KindNotOffered,
    RefundExceedsPaid,
)
from domain.policies.schema import FilingWindow, Policy

PROTECTION_CLAIM_KINDS = ("lost_parcel", "damaged_parcel")
RETURN_KINDS = ("return_request", "exchange_request", "seven_day_return")


@dataclass(frozen=True)
class Order:
    reference: str
    amount: Decimal
    currency: str
    completed_at: datetime | None = None
    delivered_at: datetime | None = None

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Order:
        return cls(
            raw["reference"],
            Decimal(raw["amount"]),
            raw["currency"],
            raw.get("completed_at"),
            raw.get("delivered_at"),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "reference": self.reference,
            "amount": self.amount,
            "currency": self.currency,
            "completed_at": self.completed_at,
            "delivered_at": self.delivered_at,
        }


def check_filing(
    policy: Policy,
    calendar: BusinessCalendar,
    kind: str,
    order: Order,
    fields: dict[str, Any],
    filed_at: datetime,
) -> None:
    """Raise the first rule a new case breaks; the kind is checked before any window."""
    if kind not in policy.kinds:
        raise KindNotOffered(
            f"{policy.name} does not offer {kind!r}; it offers {', '.join(policy.kinds)}"
        )
    for window in policy.filing_windows:
        if kind in window.kinds:
            _check_window(window, calendar, order, filed_at)
    if policy.declared_value_required and kind in PROTECTION_CLAIM_KINDS:
        _check_protection_claim(policy, order, fields)
    if kind == "refund_only" and fields.get("refund_amount") is not None:
        _check_refund_asked(order, fields["refund_amount"])


def check_not_refunded_before(
    policy: Policy, kind: str, order: Order, refunded_orders: frozenset[str]
) -> None:
    """Geli: once a case on an order ended with a refund, no second return on it at the same
    store (`refunded_orders`: the store's orders whose cases ended so)."""
    if (
        policy.no_second_return_after_refund
        and kind in RETURN_KINDS
        and order.reference in refunded_orders
    ):
        raise AlreadyRefunded(
            f"order {order.reference!r} was already refunded at this store; "
            f"{policy.name} takes no second return on it"
        )


def _check_refund_asked(order: Order, asked: object) -> None:
    """A `refund_only` request asks for at most what was paid (default: all of it)."""
    try:
        amount = Decimal(str(asked))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount <= 0:
        raise InvalidField("refund_amount", f"refund_amount {asked!r} is not a positive amount")
    if amount > order.amount:
        raise RefundExceedsPaid(
            f"refund_amount {amount} {order.currency} is more than the {order.amount} "
            f"{order.currency} paid"
        )


def _check_window(
    window: FilingWindow, calendar: BusinessCalendar, order: Order, filed_at: datetime
) -> None:
    field = "delivered_at" if window.counted_from != "completed_at" else "completed_at"
    instant: datetime | None = getattr(order, field)
    if instant is None:
        raise InvalidField(
            f"order.{field}", f"order.{field} is required for this kind: {window.note}"
        )
    if window.counted_from == "day_after_delivery":
        instant = calendar.local_midnight(calendar.local_date(instant) + timedelta(days=1))
    closes = instant.astimezone(UTC) + timedelta(hours=float(window.hours))
    if filed_at > closes:
        raise FilingWindowClosed(
            f"too late: {window.note}; the window closed at {closes.isoformat()}"
        )


def _check_protection_claim(policy: Policy, order: Order, fields: dict[str, Any]) -> None:
    plan = fields.get("plan")
    if plan is None or policy.plan(plan) is None:
        names = ", ".join(p.name for p in policy.protection.plans)
        raise InvalidField("plan", f"a shipping-protection claim needs a plan: one of {names}")
    declared = fields.get("declared_value")
    if declared is None:
        raise InvalidField("declared_value", "a shipping-protection claim needs declared_value")
    try:
        declared_value = Decimal(str(declared))
    except InvalidOperation:
        declared_value = Decimal("NaN")
    if not declared_value.is_finite() or declared_value < 0:
        raise InvalidField("declared_value", f"declared_value {declared!r} is not an amount")
    if declared_value < order.amount:
        raise DeclaredBelowReceipt(
            f"declared value {declared} is below the receipt value "
            f"{order.amount}; the claim is refused"
        )


def refund_without_return(policy: Policy, fields: dict[str, Any]) -> bool | None:
    """Near-expiry goods: True if refund without return is unconditional, False if supported,
    None if the rule does not apply."""
    shelf_life, days_left = fields.get("shelf_life_days"), fields.get("days_left_at_signing")
    if shelf_life is None or days_left is None:
        return None
    for rule in sorted(policy.near_expiry, key=lambda r: r.shelf_life_max_days):
        if shelf_life <= rule.shelf_life_max_days:
            return rule.unconditional if days_left <= rule.days_left_max else None
    return None
