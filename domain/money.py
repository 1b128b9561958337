"""Exact money: a Decimal amount with an ISO 4217 currency. Conversions need explicit rates."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from domain.errors import CapExceeded

# Currencies whose minor unit is not 2 (ISO 4217 exponent); every other code has 2.
_EXPONENTS = {
    "JPY": 0,
    "KRW": 0,
    "VND": 0,
    "CLP": 0,
    "ISK": 0,
    "BHD": 3,
    "KWD": 3,
    "JOD": 3,
    "OMR": 3,
    "TND": 3,
}


def exponent(currency: str) -> int:
    return _EXPONENTS.get(currency, 2)


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
