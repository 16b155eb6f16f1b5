"""The rules a payment or a refund must pass."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.money import Money
from shopcore.domain.rules import BusinessRule


@dataclass(frozen=True)
class OrderMustBePendingToPay(BusinessRule):
    """Only a pending order takes a payment (`status`: the order's)."""

    status: str

    def is_broken(self) -> bool:
        return self.status != "pending"

    @property
    def message(self) -> str:
        return f"An order that is {self.status} cannot be paid."


@dataclass(frozen=True)
class OrderMustHaveNoPaymentInFlight(BusinessRule):
    """No attempt is still waiting on the provider (`in_flight`)."""

    in_flight: bool

    def is_broken(self) -> bool:
        return self.in_flight

    @property
    def message(self) -> str:
        return "A payment of this order is still in progress."


@dataclass(frozen=True)
class RefundMustBePositive(BusinessRule):
    amount: Money

    def is_broken(self) -> bool:
        return not Money.zero(self.amount.currency) < self.amount

    @property
    def message(self) -> str:
        return "Ensure this value is greater than 0."


@dataclass(frozen=True)
class RefundMustNotExceedWhatIsLeft(BusinessRule):
    """A refund of `amount` fits in what is `left` of what was paid."""

    amount: Money
    left: Money

    def is_broken(self) -> bool:
        return self.left < self.amount

    @property
    def message(self) -> str:
        return f"Only {self.left.amount} {self.left.currency} is left to refund."
