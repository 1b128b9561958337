"""Platform payouts: Biggrey's purchase protection cap, Buyippee's plan compensation."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.errors import CapExceeded, StepNotOffered
from domain.money import NO_RATES, ExchangeRates, Money
from domain.policies.schema import Plan, Policy


def platform_cap(
    policy: Policy,
    order_amount: Money,
    fields: dict[str, Any],
    certified: bool,
    rates: ExchangeRates = NO_RATES,
) -> Money | None:
    """The most the platform may pay on this case, in the cap's currency (None: no cap)."""
    protection = policy.protection
    if protection.certified_only and not certified:
        raise StepNotOffered(
            f"{policy.name} offers no purchase protection for cases against non-certified stores"
        )
    if protection.cap is not None:
        return Money(protection.cap.amount, protection.cap.currency)
    plan = policy.plan(fields.get("plan") or "")
    if plan is not None and protection.plan_currency:
        return _plan_compensation(plan, order_amount, fields, protection.plan_currency, rates)
    return None


def _plan_compensation(
    plan: Plan, receipt: Money, fields: dict[str, Any], currency: str, rates: ExchangeRates
) -> Money:
    """The lower of declared and receipt value, times the plan's percentage, capped by the
    plan's maximum: in the plan's currency (a receipt in another one needs an explicit rate)."""
    declared = Decimal(str(fields.get("declared_value") or receipt.amount))
    base = min(declared, receipt.amount)
    payout = rates.convert(Money(base * plan.payout_percent / 100, receipt.currency), currency)
    return Money(min(payout.amount, plan.payout_maximum), currency)


def plan_fee(plan: Plan, declared_value: Decimal) -> Decimal:
    if plan.fee_flat is not None:
        return plan.fee_flat
    fee = declared_value * (plan.fee_percent or Decimal(0)) / 100
    return max(fee, plan.fee_minimum or Decimal(0)).quantize(Decimal("0.01"))


def check_platform_payout(
    cap: Money | None, already_paid: list[Money], refund: Money, rates: ExchangeRates
) -> None:
    """Refuse a platform refund that would take the total past the cap."""
    if cap is None:
        return
    total = sum(
        (rates.convert(m, cap.currency).amount for m in [*already_paid, refund]), Decimal(0)
    )
    if total > cap.amount:
        raise CapExceeded(
            f"platform refunds would total {total.quantize(Decimal('0.01'))} "
            f"{cap.currency}, above the cap of {cap}"
        )


def capped_payout(cap: Money | None, claim: Money, rates: ExchangeRates) -> Money:
    """The claim, reduced to the cap when it is above it (paid in the claim's currency)."""
    if cap is None:
        return claim
    in_cap_currency = rates.convert(claim, cap.currency)
    if in_cap_currency.amount <= cap.amount:
        return claim
    if claim.currency == cap.currency:
        return cap
    return rates.convert(cap, claim.currency).quantized()
