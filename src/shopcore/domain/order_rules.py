"""The rules a checkout must pass before a cart becomes an order."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.cart import CartLine
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict
from shopcore.domain.rules import BusinessRule

EMPTY_CART = "The cart is empty."


@dataclass(frozen=True)
class CartMustNotBeEmpty(BusinessRule):
    line_count: int

    def is_broken(self) -> bool:
        return self.line_count == 0

    @property
    def message(self) -> str:
        return EMPTY_CART


@dataclass(frozen=True)
class ProductMustBeOnSale(BusinessRule):
    """The product of a cart line still exists (`product` is what was found for it)."""

    line: CartLine
    product: Product | None

    def is_broken(self) -> bool:
        return self.product is None

    @property
    def message(self) -> str:
        return f"{self.line.added_name} (id {self.line.product_id}) is no longer sold"


@dataclass(frozen=True)
class StockMustCoverCartLine(BusinessRule):
    """A tracked stock (None: untracked) holds at least the line's quantity."""

    name: str
    product_id: int
    quantity: int
    stock: int | None

    def is_broken(self) -> bool:
        return self.stock is not None and self.stock < self.quantity

    @property
    def message(self) -> str:
        return (f"{self.name} (id {self.product_id}): {self.quantity} wanted, "
                f"{self.stock} in stock")


@dataclass(frozen=True)
class LinesMustShareOneCurrency(BusinessRule):
    """An order is priced in one currency (`currencies`: those of its lines)."""

    currencies: tuple[str, ...]

    def is_broken(self) -> bool:
        return len(self.currencies) > 1

    @property
    def message(self) -> str:
        return f"The cart mixes currencies: {', '.join(self.currencies)}."


def not_enough_stock(short: list[str]) -> Conflict:
    """The checkout's 409: every line that cannot be had, in the cart's order."""
    return Conflict("Not enough stock: " + "; ".join(short) + ".", {"items": short})


def check_stock_rules(rules: list[BusinessRule]) -> None:
    short = [rule.message for rule in rules if rule.is_broken()]
    if short:
        raise not_enough_stock(short)
