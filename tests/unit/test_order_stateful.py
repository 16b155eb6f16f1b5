"""Random shopping sessions on the in-memory adapters keep stock, totals and the state machine.

A Hypothesis state machine lets three customers add, change, check out, cancel, pay, let
expire, ship and deliver, predicting each answer from a model of the carts and the stored
state, and checks the invariants after every step.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from itertools import pairwise

from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.adapters.memory.store import Tables
from shopcore.application.viewer import Viewer
from shopcore.domain.errors import Conflict, NotFound, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.order import TRANSITIONS, Actor, Order, Status

STOCKS = (3, 2, None)
PRICES = (Decimal("9.99"), Decimal("120.00"), Decimal("0.35"))
EXPIRY_MINUTES = 30
HOLDS_STOCK = {Status.PENDING, Status.PAID, Status.SHIPPED, Status.DELIVERED}

customers = st.integers(min_value=0, max_value=2)
items = st.integers(min_value=0, max_value=len(STOCKS) - 1)
picks = st.integers(min_value=0, max_value=10_000)


class OrderLifecycle(RuleBasedStateMachine):
    """Customers and staff drive orders at random; the shop must stay consistent."""

    @initialize()
    def open_shop(self) -> None:
        self.app = App.in_memory(password_hasher="plain", order_expiry_minutes=EXPIRY_MINUTES)
        self.clock = FixedClock()
        self.app.container.core.clock.override(self.clock)
        self.staff = Viewer(self.app.register_user(
            username="boss", email="boss@example.com", password="boss-pass-123",
            is_staff=True).id, is_staff=True)
        self.users = [self.app.register_user(username=f"user{n}", email=f"user{n}@example.com",
                                             password="correct-horse").id for n in range(3)]
        category = self.app.create_category(name="Things").category
        self.products = [self.app.create_product(name=f"Thing {n}", price=price,
                                                 category_id=category.id, stock=stock).id
                         for n, (price, stock) in enumerate(zip(PRICES, STOCKS, strict=True))]
        self.initial = dict(zip(self.products, STOCKS, strict=True))
        self.carts: dict[int, dict[int, int]] = {user: {} for user in self.users}

    def teardown(self) -> None:
        if hasattr(self, "app"):
            self.app.close()

    @property
    def tables(self) -> Tables:
        tables: Tables = self.app.container.gateways.memory_store().tables
        return tables

    def stock(self, product_id: int) -> int | None:
        return self.tables.products[product_id].stock

    def pick(self, n: int) -> Order:
        orders = self.tables.orders
        return orders[sorted(orders)[n % len(orders)]]

    def has_orders(self) -> bool:
        return bool(self.tables.orders)

    @rule(user=customers, item=items, quantity=st.integers(min_value=1, max_value=3))
    def add(self, user: int, item: int, quantity: int) -> None:
        user_id, product_id = self.users[user], self.products[item]
        line = self.carts[user_id].get(product_id, 0) + quantity
        stock = self.stock(product_id)
        try:
            self.app.add_to_cart(user_id=user_id, product_id=product_id, quantity=quantity)
        except Conflict:
            assert stock is not None and line > stock
            return
        assert stock is None or line <= stock
        self.carts[user_id][product_id] = line

    @rule(user=customers, item=items, quantity=st.integers(min_value=0, max_value=4))
    def change(self, user: int, item: int, quantity: int) -> None:
        user_id, product_id = self.users[user], self.products[item]
        stock = self.stock(product_id)
        try:
            self.app.change_cart_item(user_id=user_id, product_id=product_id,
                                      quantity=quantity)
        except NotFound:
            assert product_id not in self.carts[user_id]
            return
        except Conflict:
            assert stock is not None and quantity > stock
            return
        assert product_id in self.carts[user_id]
        if quantity:
            self.carts[user_id][product_id] = quantity
        else:
            del self.carts[user_id][product_id]

    @rule(user=customers, minutes_later=st.integers(min_value=0, max_value=10))
    def checkout(self, user: int, minutes_later: int) -> None:
        self.clock.advance(minutes=minutes_later)
        user_id = self.users[user]
        cart = self.carts[user_id]
        before = {p: self.stock(p) for p in self.products}
        short = [p for p, q in cart.items() if (left := before[p]) is not None and q > left]
        try:
            order = self.app.place_order(user_id=user_id)
        except ValidationFailed:
            assert not cart
            return
        except Conflict:
            event("checkout: short of stock")
            assert short
            assert {p: self.stock(p) for p in self.products} == before
            return
        assert cart and not short
        event("checkout: placed")
        assert order.status is Status.PENDING and order.user_id == user_id
        assert {line.product_id: line.quantity for line in order.lines} == cart
        for p, stock in before.items():
            expected = None if stock is None else stock - cart.get(p, 0)
            assert self.stock(p) == expected
        self.carts[user_id] = {}

    @precondition(has_orders)
    @rule(n=picks, user=customers, as_staff=st.booleans())
    def cancel(self, n: int, user: int, as_staff: bool) -> None:
        order = self.pick(n)
        viewer = self.staff if as_staff else Viewer(self.users[user])
        try:
            cancelled = self.app.cancel_order(order_id=order.id, viewer=viewer)
        except NotFound:
            assert not as_staff and order.user_id != viewer.user_id
            return
        except Conflict:
            assert order.status not in (Status.PENDING, Status.PAID)
            return
        assert as_staff or order.user_id == viewer.user_id
        assert order.status in (Status.PENDING, Status.PAID)
        assert cancelled.status is Status.CANCELLED
        event(f"cancel: a {order.status} order")

    @rule(minutes=st.integers(min_value=0, max_value=45))
    def expire(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        deadline = self.clock.now() - timedelta(minutes=EXPIRY_MINUTES)
        due = {i for i, o in self.tables.orders.items()
               if o.status is Status.PENDING and o.created_at < deadline}

        expired = self.app.expire_orders()

        assert expired == len(due)
        if due:
            event("expire: cancelled some" if any(
                o.status is Status.PENDING for o in self.tables.orders.values())
                else "expire: cancelled every pending order")
        for order_id in due:
            order = self.tables.orders[order_id]
            assert order.status is Status.CANCELLED and order.history[-1].actor == "system"

    @precondition(has_orders)
    @rule(n=picks)
    def pay(self, n: int) -> None:
        picked = self.pick(n)
        was = picked.status
        with self.app.container.adapters.uow() as uow:
            order = uow.orders.get(picked.id, for_update=True)
            assert order is not None
            try:
                order.move_to(Status.PAID, Actor.PAYMENT, "payment", self.clock.now(),
                              "test payment")
            except Conflict:
                assert was is not Status.PENDING
                return
            uow.orders.save(order)
            uow.commit()
        assert was is Status.PENDING

    def staff_moves(self, n: int, source: Status, to: Status) -> None:
        order = self.pick(n)
        try:
            moved = self.app.change_order_status(order_id=order.id, status=to,
                                                 viewer=self.staff)
        except Conflict:
            assert order.status is not source
            return
        assert order.status is source and moved.status is to
        event(f"staff: {to}")

    @precondition(has_orders)
    @rule(n=picks)
    def ship(self, n: int) -> None:
        self.staff_moves(n, Status.PAID, Status.SHIPPED)

    @precondition(has_orders)
    @rule(n=picks)
    def deliver(self, n: int) -> None:
        self.staff_moves(n, Status.SHIPPED, Status.DELIVERED)

    @invariant()
    def stock_is_on_hand_or_held_by_a_live_order(self) -> None:
        held = dict.fromkeys(self.products, 0)
        for order in self.tables.orders.values():
            if order.status in HOLDS_STOCK:
                for line in order.lines:
                    held[line.product_id] += line.quantity
        for product_id, initial in self.initial.items():
            stock = self.stock(product_id)
            if initial is None:
                assert stock is None
            else:
                assert stock is not None and stock >= 0
                assert stock + held[product_id] == initial, (product_id, stock, held)

    @invariant()
    def every_total_is_the_sum_of_its_lines(self) -> None:
        for order in self.tables.orders.values():
            lines = sum((line.unit_price.amount * line.quantity for line in order.lines),
                        Decimal("0"))
            assert order.total == Money(lines, order.currency)
            assert all(line.unit_price.amount == PRICES[self.products.index(line.product_id)]
                       for line in order.lines)

    @invariant()
    def every_history_is_a_path_through_the_table(self) -> None:
        for order in self.tables.orders.values():
            statuses = [change.status for change in order.history]
            assert statuses[0] is Status.PENDING
            assert statuses[-1] is order.status
            assert all(step in TRANSITIONS for step in pairwise(statuses))

    @invariant()
    def carts_hold_what_the_customers_put_in(self) -> None:
        for user_id, expected in self.carts.items():
            cart = self.tables.carts.get(user_id)
            stored = {p: line.quantity for p, line in cart.lines.items()} if cart else {}
            assert stored == expected


OrderLifecycle.TestCase.settings = settings(
    max_examples=120, stateful_step_count=50, deadline=None,
    suppress_health_check=[HealthCheck.too_slow])
TestRandomOrderSessionsKeepStockTotalsAndTransitions = OrderLifecycle.TestCase
