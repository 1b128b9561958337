"""Money is exact, and a cap in another currency needs an explicit rate."""

from __future__ import annotations

from decimal import Decimal

import pytest
from support.builders import refused

from domain.money import CURRENCIES, NO_RATES, ExchangeRates, Money, exponent
from domain.protection import capped_payout, check_platform_payout

RATES = ExchangeRates({"EUR/USD": Decimal("1.10")})


def test_money_is_exact_decimal_with_an_upper_case_iso_currency() -> None:
    total = Money.of("0.10", "eur") + Money.of("0.20", "EUR")
    assert total == Money(Decimal("0.30"), "EUR")
    assert str(total) == "0.30 EUR"
    assert total.as_dict() == {"amount": "0.30", "currency": "EUR"}


def test_money_in_two_currencies_does_not_add_up() -> None:
    with pytest.raises(ValueError, match="EUR with USD"):
        _ = Money.of("1", "EUR") + Money.of("1", "USD")


@pytest.mark.parametrize(
    ("currency", "amount", "rounded"),
    [("EUR", "2.345", "2.34"), ("JPY", "1234.5", "1234"), ("KWD", "1.23456", "1.235")],
)
def test_amounts_round_half_even_to_the_currencys_minor_unit(
    currency: str, amount: str, rounded: str
) -> None:
    assert Money.of(amount, currency).quantized().amount == Decimal(rounded)
    assert exponent(currency) == len(rounded.partition(".")[2])


def test_conversion_uses_the_configured_rate_either_way_round() -> None:
    assert RATES.convert(Money.of("100", "EUR"), "USD") == Money(Decimal("110.00"), "USD")
    assert RATES.convert(Money.of("110", "USD"), "EUR").quantized() == Money.of("100.00", "EUR")
    assert NO_RATES.convert(Money.of("5", "USD"), "USD") == Money.of("5", "USD")


def test_a_cap_in_another_currency_without_a_rate_is_never_guessed() -> None:
    error = refused("cap_exceeded", None, NO_RATES.convert, Money.of("1", "GBP"), "USD")
    assert "no GBP/USD exchange rate" in error.detail


def test_the_platform_cap_counts_every_platform_refund_of_the_case() -> None:
    cap = Money.of("5000", "USD")
    check_platform_payout(cap, [Money.of("4000", "USD")], Money.of("1000", "USD"), NO_RATES)
    refused(
        "cap_exceeded",
        None,
        check_platform_payout,
        cap,
        [Money.of("4000", "USD")],
        Money.of("1000.01", "USD"),
        NO_RATES,
    )
    refused("cap_exceeded", None, check_platform_payout, cap, [], Money.of("4546", "EUR"), RATES)


def test_a_payout_above_the_cap_is_reduced_to_the_cap_in_the_claims_currency() -> None:
    cap = Money.of("5000", "USD")
    assert capped_payout(cap, Money.of("200", "EUR"), RATES) == Money.of("200", "EUR")
    assert capped_payout(cap, Money.of("9000", "EUR"), RATES) == Money.of("4545.45", "EUR")
    assert capped_payout(None, Money.of("9000", "EUR"), NO_RATES) == Money.of("9000", "EUR")


@pytest.mark.parametrize(
    ("currency", "places"), [("JPY", 0), ("KRW", 0), ("USD", 2), ("BHD", 3), ("CLP", 0)]
)
def test_decimal_places_come_from_iso_4217_through_babel(currency: str, places: int) -> None:
    assert exponent(currency) == places


def test_only_currencies_in_use_count() -> None:
    assert {"USD", "EUR", "CNY", "HKD", "GBP", "XOF"} <= CURRENCIES
    assert not {"XXX", "XTS", "XAU", "ZZZ", "DEM"} & CURRENCIES
