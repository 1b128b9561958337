"""Exact money: a Decimal amount with an ISO 4217 currency. Conversions need explicit rates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from babel.core import get_global
from babel.numbers import get_currency_precision

from domain.errors import CapExceeded


def _tender() -> frozenset[str]:
    """ISO 4217 codes that are legal tender somewhere today (CLDR, through Babel): no funds,
    metals, test or "no currency" codes (XXX, XTS, XAU…), and no withdrawn ones."""
    territories: Mapping[str, list[tuple[str, object, object, bool]]] = get_global(
        "territory_currencies"
    )
    return frozenset(
        code
        for currencies in territories.values()
        for code, _start, end, tender in currencies
        if end is None and tender
    )


CURRENCIES = _tender()


def is_currency(code: str) -> bool:
    return code in CURRENCIES


def exponent(currency: str) -> int:
    """The currency's decimal places (ISO 4217 minor unit, as CLDR records it)."""
    places: int = get_currency_precision(currency)
    return places


@dataclass(frozen=True, order=True)
class Money:
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, amount: str | Decimal | int, currency: str) -> Money:
        return cls(Decimal(amount), currency.upper())

    def quantized(self) -> Money:
        step = Decimal(1).scaleb(-exponent(self.currency))
        return Money(self.amount.quantize(step, rounding=ROUND_HALF_EVEN), self.currency)

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def times(self, factor: Decimal) -> Money:
        return Money(self.amount * factor, self.currency).quantized()

    def min(self, other: Money) -> Money:
        self._same_currency(other)
        return self if self.amount <= other.amount else other

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")

    def as_dict(self) -> dict[str, str]:
        return {"amount": str(self.amount), "currency": self.currency}

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"


@dataclass(frozen=True)
class ExchangeRates:
    """Configured rates, `{"EUR/USD": Decimal("1.08")}` meaning 1 EUR = 1.08 USD."""

    rates: Mapping[str, Decimal]

    def convert(self, money: Money, to: str) -> Money:
        if money.currency == to:
            return money
        direct = self.rates.get(f"{money.currency}/{to}")
        if direct is not None:
            return Money(money.amount * direct, to)
        inverse = self.rates.get(f"{to}/{money.currency}")
        if inverse is not None:
            return Money(money.amount / inverse, to)
        raise CapExceeded(
            f"the cap is in {to} and no {money.currency}/{to} exchange rate is configured, "
            "so the amount cannot be checked against it"
        )


NO_RATES = ExchangeRates({})
