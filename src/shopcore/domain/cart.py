"""The cart: one per user, lines of products and quantities."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shopcore.domain.errors import NotFound, ValidationFailed
from shopcore.domain.events import Aggregate, CartUpdated
from shopcore.domain.rules import BusinessRule, check_rules

MAX_LINE_QUANTITY = 10_000


@dataclass(frozen=True)
class CartLineQuantityMustBePositive(BusinessRule):
    quantity: int

    def is_broken(self) -> bool:
        return not 1 <= self.quantity <= MAX_LINE_QUANTITY

    @property
    def message(self) -> str:
        return f"Ensure this value is between 1 and {MAX_LINE_QUANTITY}."


@dataclass
class CartLine:
    """A product in the cart, with the name and price it had when it was added."""

    product_id: int
    quantity: int
    added_price: Decimal
    added_name: str
    added_at: datetime


@dataclass
class Cart(Aggregate):
    """A user's cart; lines keep the order they were added in."""

    user_id: int
    lines: dict[int, CartLine] = field(default_factory=dict)
    version: int = 0
    touched: set[int] = field(default_factory=set, compare=False, repr=False)

    def quantity_of(self, product_id: int) -> int:
        line = self.lines.get(product_id)
        return line.quantity if line else 0

    def add(self, product_id: int, quantity: int, price: Decimal, name: str,
            now: datetime) -> int:
        """Add to the line (creating it); the line's new quantity."""
        check_rules(CartLineQuantityMustBePositive("quantity", quantity))
        line = self.lines.get(product_id)
        if line is None:
            self.lines[product_id] = CartLine(product_id, quantity, price, name, now)
        else:
            check_rules(CartLineQuantityMustBePositive("quantity", line.quantity + quantity))
            line.quantity += quantity
        self._updated(product_id)
        return self.lines[product_id].quantity

    def change(self, product_id: int, quantity: int) -> None:
        """Set a line's quantity; 0 removes it."""
        if quantity < 0:
            raise ValidationFailed("Quantity must not be negative.", {
                "quantity": ["Ensure this value is greater than or equal to 0."]})
        if product_id not in self.lines:
            raise NotFound("This product is not in the cart.")
        if quantity == 0:
            del self.lines[product_id]
        else:
            check_rules(CartLineQuantityMustBePositive("quantity", quantity))
            self.lines[product_id].quantity = quantity
        self._updated(product_id)

    def remove(self, product_id: int) -> None:
        if product_id not in self.lines:
            raise NotFound("This product is not in the cart.")
        del self.lines[product_id]
        self._updated(product_id)

    def clear(self) -> None:
        emptied = list(self.lines)
        self.lines.clear()
        self._updated(*emptied)

    def _updated(self, *product_ids: int) -> None:
        """Count the change, note which lines it touched (to store only those), record it."""
        self.touched.update(product_ids)
        self.version += 1
        self.record(CartUpdated(user_id=self.user_id, items=[
            {"product_id": line.product_id, "quantity": line.quantity}
            for line in self.lines.values()]))
