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
    DocumentsMissing,
    FilingWindowClosed,
    InvalidField,
    KindNotOffered,
    NotEligible,
    RefundExceedsPaid,
)
from domain.policies.schema import Eligibility, FieldValue, FilingWindow, Policy, Registration

RETURN_KINDS = ("return_request", "exchange_request", "seven_day_return")
# Order fields only some platforms read: kept out of the recorded order unless given.
OPTIONAL_ORDER_FIELDS = ("warehouse_arrived_at", "registered_at")


@dataclass(frozen=True)
class Order:
    reference: str
    amount: Decimal
    currency: str
    completed_at: datetime | None = None
    delivered_at: datetime | None = None
    warehouse_arrived_at: datetime | None = None  # buyippee: reached the overseas warehouse
    registered_at: datetime | None = None  # buyippee: the parcel was registered

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> Order:
        return cls(
            raw["reference"],
            Decimal(raw["amount"]),
            raw["currency"],
            raw.get("completed_at"),
            raw.get("delivered_at"),
            *(raw.get(name) for name in OPTIONAL_ORDER_FIELDS),
        )

    def as_dict(self) -> dict[str, Any]:
        recorded = {
            "reference": self.reference,
            "amount": self.amount,
            "currency": self.currency,
            "completed_at": self.completed_at,
            "delivered_at": self.delivered_at,
        }
        for name in OPTIONAL_ORDER_FIELDS:
            if (value := getattr(self, name)) is not None:
                recorded[name] = value
        return recorded


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
    if kind in policy.declared_value_kinds:
        _check_declared_value(policy, order, fields)
    _check_documents(policy, kind, fields)
    if policy.registration is not None and kind in policy.registration.kinds:
        _check_registration(policy.registration, order)
    for rule in policy.eligibility:
        if kind in rule.kinds:
            _check_eligibility(rule, fields)
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


def _check_declared_value(policy: Policy, order: Order, fields: dict[str, Any]) -> None:
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
            f"{order.amount}; the request is refused"
        )


def _check_documents(policy: Policy, kind: str, fields: dict[str, Any]) -> None:
    listed = fields.get("documents") or []
    rules = [rule for rule in policy.documents if kind in rule.kinds]
    documents = [d for rule in rules for d in rule.documents if d not in listed]
    references = [name for rule in rules for name in rule.fields if not fields.get(name)]
    missing = [f"documents {', '.join(documents)}"] if documents else []
    missing += [f"field {name}" for name in references]
    if missing:
        why = "; ".join(rule.note for rule in rules if rule.note)
        raise DocumentsMissing(f"missing {' and '.join(missing)}: {why}")


def _check_registration(rule: Registration, order: Order) -> None:
    arrived, registered = order.warehouse_arrived_at, order.registered_at
    if arrived is None or registered is None:
        return  # nothing to compare: staff judge what the fields cannot show
    latest = arrived + timedelta(hours=float(rule.within_hours))
    if registered > latest:
        raise NotEligible(
            f"not eligible: {rule.note}; order.registered_at {registered.isoformat()} is after "
            f"{latest.isoformat()}"
        )


def _check_eligibility(rule: Eligibility, fields: dict[str, Any]) -> None:
    if not all(_holds_any(fields.get(f), values) for f, values in rule.when.items()):
        return
    for field, allowed in rule.only.items():
        value = fields.get(field)
        if value is None or not _all_allowed(value, allowed):
            shown = "missing" if value is None else repr(value)
            raise NotEligible(
                f"not eligible: {rule.note}; {field} is {shown}, it must be "
                f"{' or '.join(_show(v) for v in allowed)}"
            )
    for field, excluded in rule.never.items():
        value = fields.get(field)
        if _holds_any(value, excluded):
            raise NotEligible(f"not eligible: {rule.note}; {field} is {value!r}")


def _items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _same(value: Any, wanted: FieldValue) -> bool:
    # Exact types: a field holding 1 or "true" does not pass for true.
    return type(value) is type(wanted) and value == wanted


def _holds_any(value: Any, values: list[FieldValue]) -> bool:
    return value is not None and any(_same(v, w) for v in _items(value) for w in values)


def _all_allowed(value: Any, allowed: list[FieldValue]) -> bool:
    return all(any(_same(v, w) for w in allowed) for v in _items(value))


def _show(value: FieldValue) -> str:
    return str(value).lower() if isinstance(value, bool) else value


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
