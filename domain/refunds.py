"""The bound every refund on a case obeys: never more, in all, than the consumer paid.

`order.amount` is what the consumer paid, freight included. Refunds by any payer count
towards it; one in another currency is converted with the configured rates, and without a
rate it cannot be compared, so it is refused under the same rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from domain.errors import CapExceeded, RefundExceedsPaid
from domain.money import ExchangeRates, Money


def total_refunded(refunds: Iterable[dict[str, Any]], currency: str, rates: ExchangeRates) -> Money:
    """Every refund recorded on a case, in the order's currency."""
    total = Decimal(0)
    for refund in refunds:
        total += _in(Money(Decimal(refund["amount"]), refund["currency"]), currency, rates).amount
    return Money(total, currency)


def check_within_paid(
    paid: Money, refunds: Iterable[dict[str, Any]], refund: Money, rates: ExchangeRates
) -> Money:
    """Refuse a refund that would take the total past the amount paid. Returns the total
    after it, in the order's currency."""
    before = total_refunded(refunds, paid.currency, rates)
    after = Money(before.amount + _in(refund, paid.currency, rates).amount, paid.currency)
    if after.amount > paid.amount:
        raise RefundExceedsPaid(
            f"refunds would total {after.quantized()}, above the {paid} the consumer paid "
            f"({before.quantized()} refunded so far; at most "
            f"{Money(paid.amount - before.amount, paid.currency).quantized()} more)"
        )
    return after


def remaining(paid: Money, refunds: Iterable[dict[str, Any]], rates: ExchangeRates) -> Money:
    """What may still be refunded."""
    refunded = total_refunded(refunds, paid.currency, rates)
    return Money(max(paid.amount - refunded.amount, Decimal(0)), paid.currency)


def _in(money: Money, currency: str, rates: ExchangeRates) -> Money:
    try:
        return rates.convert(money, currency)
    except CapExceeded:
        raise RefundExceedsPaid(
            f"the consumer paid in {currency} and no {money.currency}/{currency} exchange rate "
            f"is configured, so a refund of {money} cannot be checked against the amount paid"
        ) from None
