"""Money at Stripe's boundary: integer minor units, zero-decimal currencies included."""

from __future__ import annotations

from decimal import Decimal

from shopcore.domain.money import Money

# Stripe's zero-decimal currencies: an amount of 500 JPY is sent as 500, not 50000.
ZERO_DECIMAL = frozenset({
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "UGX", "VND",
    "VUV", "XAF", "XOF", "XPF"})


class MinorUnitsError(ValueError):
    """An amount that a zero-decimal currency cannot carry (a fraction of a yen)."""


def to_minor(money: Money) -> int:
    """The amount in the currency's smallest unit, as Stripe wants it."""
    if money.currency in ZERO_DECIMAL:
        if money.amount != money.amount.to_integral_value():
            raise MinorUnitsError(f"{money} has a fraction, which {money.currency} has not.")
        return int(money.amount)
    return int((money.amount * 100).to_integral_value())


def from_minor(units: int, currency: str) -> Money:
    """Stripe's integer amount and currency code (any case) as Money."""
    code = currency.upper()
    if code in ZERO_DECIMAL:
        return Money(Decimal(units), code)
    return Money(Decimal(units) / 100, code)
