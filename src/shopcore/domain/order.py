"""Orders: a priced snapshot of a cart, moved along a strict state machine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from shopcore.domain.cart import Cart, CartLine
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict
from shopcore.domain.events import Aggregate, OrderCreated, OrderStatusChanged
from shopcore.domain.money import Money
from shopcore.domain.order_rules import (
    CartMustNotBeEmpty,
    LinesMustShareOneCurrency,
    ProductMustBeOnSale,
    StockMustCoverCartLine,
    check_stock_rules,
)
from shopcore.domain.rules import check_rules, check_state


class Status(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    SHIPPED = "shipped"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class Actor(StrEnum):
    """Who moves an order: its owner, staff, the payment flow or the expiry job."""

    OWNER = "owner"
    STAFF = "staff"
    PAYMENT = "payment"
    SYSTEM = "system"


TRANSITIONS: dict[tuple[Status, Status], frozenset[Actor]] = {
    (Status.PENDING, Status.PAID): frozenset({Actor.PAYMENT}),
    (Status.PENDING, Status.CANCELLED): frozenset({Actor.OWNER, Actor.STAFF, Actor.SYSTEM}),
    (Status.PAID, Status.SHIPPED): frozenset({Actor.STAFF}),
    (Status.PAID, Status.CANCELLED): frozenset({Actor.OWNER, Actor.STAFF}),
    (Status.SHIPPED, Status.DELIVERED): frozenset({Actor.STAFF}),
    (Status.PAID, Status.REFUNDED): frozenset({Actor.PAYMENT}),
    (Status.SHIPPED, Status.REFUNDED): frozenset({Actor.PAYMENT}),
    (Status.DELIVERED, Status.REFUNDED): frozenset({Actor.PAYMENT}),
}
RELEASES_STOCK = {Status.CANCELLED}


def allowed(current: Status, actor: Actor) -> list[Status]:
    """The statuses `actor` may move an order in `current` to."""
    return [to for (frm, to), actors in TRANSITIONS.items() if frm == current and actor in actors]


def mermaid() -> str:
    """The state machine as a Mermaid diagram."""
    lines = ["stateDiagram-v2", "    [*] --> pending"]
    for (frm, to), actors in TRANSITIONS.items():
        lines.append(f"    {frm} --> {to}: {', '.join(sorted(actors))}")
    lines += ["    delivered --> [*]", "    cancelled --> [*]", "    refunded --> [*]"]
    return "\n".join(lines)


@dataclass(frozen=True)
class OrderLine:
    """A product as it was bought: name and unit price are snapshots."""

    product_id: int
    name: str
    unit_price: Money
    quantity: int

    @property
    def total(self) -> Money:
        return self.unit_price * self.quantity


@dataclass(frozen=True)
class StatusChange:
    status: Status
    at: datetime
    actor: str
    note: str = ""


@dataclass
class Order(Aggregate):
    """An order; its status only moves along TRANSITIONS."""

    user_id: int
    lines: list[OrderLine]
    currency: str
    created_at: datetime
    status: Status = Status.PENDING
    history: list[StatusChange] = field(default_factory=list)
    id: int | None = None

    @property
    def total(self) -> Money:
        total = Money.zero(self.currency)
        for line in self.lines:
            total = total + line.total
        return total

    @classmethod
    def place(cls, cart: Cart, products: Mapping[int, Product], now: datetime,
              actor: str) -> Order:
        """A pending order of the cart's lines at the prices of `products` (loaded by id).

        The cart must hold something, every product must still be sold with enough tracked
        stock for its line, and all in one currency; stock itself is reserved by the caller.
        """
        check_state(CartMustNotBeEmpty("cart", len(cart.lines)))
        wanted: list[tuple[CartLine, Product | None]] = [
            (cart.lines[product_id], products.get(product_id)) for product_id in sorted(cart.lines)]
        check_stock_rules([
            ProductMustBeOnSale("items", line, product) if product is None
            else StockMustCoverCartLine("items", product.name, line.product_id, line.quantity,
                                        product.stock)
            for line, product in wanted])
        lines = [OrderLine(line.product_id, product.name, product.price, line.quantity)
                 for line, product in wanted if product is not None]
        currencies = sorted({line.unit_price.currency for line in lines})
        check_rules(LinesMustShareOneCurrency("items", tuple(currencies)), error=Conflict)
        order = cls(user_id=cart.user_id, lines=lines, currency=currencies[0], created_at=now)
        order.history.append(StatusChange(Status.PENDING, now, actor, "order placed"))
        return order

    def created(self) -> OrderCreated:
        assert self.id is not None
        return OrderCreated(
            order_id=self.id, user_id=self.user_id, total=self.total.amount,
            currency=self.currency, items=[
                {"product_id": line.product_id, "quantity": line.quantity,
                 "unit_price": str(line.unit_price.amount)} for line in self.lines])

    def allowed_transitions(self, actor: Actor) -> list[Status]:
        return allowed(self.status, actor)

    def check_move(self, status: Status, actor: Actor) -> None:
        """Conflict unless the table lets `actor` move the order to `status` now."""
        if actor not in TRANSITIONS.get((self.status, status), frozenset()):
            raise Conflict(f"An order that is {self.status} cannot become {status}.",
                           {"status": [f"Not allowed from {self.status}."]})

    def move_to(self, status: Status, actor: Actor, who: str, now: datetime,
                note: str = "") -> None:
        """Change status if the table allows it for `actor`; else Conflict."""
        self.check_move(status, actor)
        previous, self.status = self.status, status
        self.history.append(StatusChange(status, now, who, note))
        assert self.id is not None
        self.record(OrderStatusChanged(order_id=self.id, from_status=previous,
                                       to_status=status, actor=who, note=note))
