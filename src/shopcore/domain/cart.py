"""The cart: one per user, lines of products and quantities, and how it reads today."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict, NotFound, ValidationFailed
from shopcore.domain.events import Aggregate, CartUpdated
from shopcore.domain.rules import BusinessRule, check_rules

MAX_LINE_QUANTITY = 10_000


@dataclass(frozen=True)
class CartLineQuantityMustBeInRange(BusinessRule):
    """From 1 to MAX_LINE_QUANTITY units."""

    quantity: int

    def is_broken(self) -> bool:
        return not 1 <= self.quantity <= MAX_LINE_QUANTITY

    @property
    def message(self) -> str:
        return f"Ensure this value is between 1 and {MAX_LINE_QUANTITY}."


@dataclass(frozen=True)
class StockMustCoverQuantity(BusinessRule):
    """A tracked stock holds at least the line's quantity."""

    product: Product
    quantity: int

    def is_broken(self) -> bool:
        return self.product.stock is not None and self.quantity > self.product.stock

    @property
    def message(self) -> str:
        return f"Only {self.product.stock} in stock."

    @property
    def summary(self) -> str:
        return f"Only {self.product.stock} of {self.product.name} in stock."


@dataclass
class CartLine:
    """A product in the cart, with the name and price it had when it was added."""

    product_id: int
    quantity: int
    added_price: Decimal
    added_name: str
    added_at: datetime


@dataclass(frozen=True)
class CartItemView:
    product_id: int
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal


@dataclass(frozen=True)
class CartProblem:
    product_id: int
    code: str
    message: str


@dataclass(frozen=True)
class CartView:
    """The cart as a client sees it; lines whose product is gone appear only as problems."""

    items: list[CartItemView]
    total: Decimal
    currency: str
    item_count: int
    problems: list[CartProblem]


@dataclass
class Cart(Aggregate):
    """A user's cart; lines keep the order they were added in."""

    user_id: int
    lines: dict[int, CartLine] = field(default_factory=dict)
    version: int = 0
    touched: set[int] = field(default_factory=set, compare=False, repr=False)

    def created(self) -> None:
        """Every user has a cart from the start: it is never added."""
        return None

    def quantity_of(self, product_id: int) -> int:
        line = self.lines.get(product_id)
        return line.quantity if line else 0

    def add(self, product: Product, quantity: int, now: datetime) -> int:
        """Add units of `product`, within its stock, to its line (creating it); the new quantity."""
        assert product.id is not None
        check_rules(StockMustCoverQuantity("quantity", product,
                                           self.quantity_of(product.id) + quantity),
                    error=Conflict)
        check_rules(CartLineQuantityMustBeInRange("quantity", quantity))
        line = self.lines.get(product.id)
        if line is None:
            self.lines[product.id] = CartLine(product.id, quantity, product.price.amount,
                                              product.name, now)
        else:
            check_rules(CartLineQuantityMustBeInRange("quantity", line.quantity + quantity))
            line.quantity += quantity
        self._updated(product.id)
        return self.lines[product.id].quantity

    def change(self, product_id: int, quantity: int, product: Product | None) -> None:
        """Set a line's quantity within the product's stock; 0 removes it."""
        if quantity < 0:
            raise ValidationFailed("Quantity must not be negative.", {
                "quantity": ["Ensure this value is greater than or equal to 0."]})
        if product_id not in self.lines:
            raise NotFound("This product is not in the cart.")
        if quantity == 0:
            del self.lines[product_id]
        else:
            if product is None:
                raise NotFound("Product not found.")
            check_rules(StockMustCoverQuantity("quantity", product, quantity), error=Conflict)
            check_rules(CartLineQuantityMustBeInRange("quantity", quantity))
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

    def view(self, products: Mapping[int, Product], currency: str) -> CartView:
        """The lines at today's prices of `products`, and what changed since they were added."""
        items, problems = [], []
        for line in self.lines.values():
            product = products.get(line.product_id)
            if product is None:
                problems.append(CartProblem(line.product_id, "unavailable",
                                            f"{line.added_name} is no longer sold."))
                continue
            price = product.price.amount
            if price != line.added_price:
                problems.append(CartProblem(line.product_id, "price_changed",
                                            f"{product.name} now costs {price} "
                                            f"(was {line.added_price})."))
            if product.stock is not None and product.stock < line.quantity:
                problems.append(CartProblem(line.product_id, "out_of_stock",
                                            f"Only {product.stock} of {product.name} left."))
            items.append(CartItemView(line.product_id, product.name, price, line.quantity,
                                      price * line.quantity))
        return CartView(items=items, total=sum((i.line_total for i in items), Decimal("0.00")),
                        currency=currency, item_count=sum(i.quantity for i in items),
                        problems=problems)

    def _updated(self, *product_ids: int) -> None:
        """Count the change, note which lines it touched (to store only those), record it."""
        self.touched.update(product_ids)
        self.version += 1
        self.record(CartUpdated(user_id=self.user_id, items=[
            {"product_id": line.product_id, "quantity": line.quantity}
            for line in self.lines.values()]))
