"""Money: a Decimal amount with two places and a currency."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999.99")


class MoneyError(ValueError):
    """An amount that cannot be money (not finite, too precise, mixed currencies)."""


def to_amount(value: Decimal | int | str) -> Decimal:
    """An exact Decimal with at most two places, or MoneyError."""
    try:
        amount = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise MoneyError("Not a valid amount.") from exc
    if not amount.is_finite():
        raise MoneyError("Not a valid amount.")
    try:
        quantized = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise MoneyError("Not a valid amount.") from exc
    if quantized != amount:
        raise MoneyError("Ensure that there are no more than 2 decimal places.")
    return quantized


@dataclass(frozen=True, order=False)
class Money:
    """An amount of one currency; arithmetic never mixes currencies."""

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "amount", to_amount(self.amount))
        if len(self.currency) != 3 or not self.currency.isalpha() or not self.currency.isupper():
            raise MoneyError("Currency must be a three-letter ISO code.")

    @classmethod
    def zero(cls, currency: str) -> Money:
        return cls(Decimal("0.00"), currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"Cannot combine {self.currency} with {other.currency}.")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.amount <= other.amount

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
