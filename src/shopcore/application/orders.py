"""Orders: check out the cart, read, cancel, move along the table, expire."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from shopcore.application.order_moves import load_order, move_order, record_stock_moved
from shopcore.application.refunds import (
    ask_provider,
    pending_refunds,
    plan_refunds,
    record_answers,
    refund_failed,
)
from shopcore.application.viewer import Viewer
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict, PermissionDenied, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.order import Actor, Order, Status
from shopcore.domain.order_rules import StockMustCoverCartLine, not_enough_stock
from shopcore.domain.pagination import Page, PageRequest
from shopcore.domain.payment import Ledger, RefundReason
from shopcore.domain.payment_rules import OrderMustHaveNoPaymentInFlight
from shopcore.domain.rules import check_state
from shopcore.ports.cart_cache import CartCache
from shopcore.ports.clock import Clock
from shopcore.ports.payments import PaymentGateway
from shopcore.ports.unit_of_work import UnitOfWork

TOO_MANY_PENDING = ("You have {count} unpaid orders, the most one account may hold: "
                    "pay or cancel one first.")


def check_pending_cap(uow: UnitOfWork, user_id: int, cap: int) -> None:
    """Conflict when the user already holds `cap` pending orders (they reserve stock)."""
    pending = uow.orders.count(user_id, Status.PENDING)
    if pending >= cap:
        raise Conflict(TOO_MANY_PENDING.format(count=pending))


@dataclass
class PlaceOrder:
    """Turn the cart into a pending order: prices snapshotted, stock reserved, cart emptied.

    One account holds at most `max_pending` pending orders, so it cannot hold the stock.
    """

    uow: UnitOfWork
    cache: CartCache
    clock: Clock
    max_pending: int = 5

    def __call__(self, *, user_id: int) -> Order:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            check_pending_cap(self.uow, user_id, self.max_pending)
            products = self.uow.products.get_many(sorted(cart.lines), for_update=True)
            order = Order.place(cart, products, self.clock.now(), f"user:{user_id}")
            reserve_stock(self.uow, order, products)
            self.uow.orders.add(order)
            cart.clear()
            self.uow.carts.save(cart)
            self.uow.commit()
        self.cache.invalidate([user_id])
        return order


def reserve_stock(uow: UnitOfWork, order: Order, products: Mapping[int, Product]) -> None:
    """Take every line's units from its tracked stock in one conditional UPDATE.

    The products are locked, so this fails only if stock moved past the lock; the answer
    is then the checkout's own 409, naming the lines short of stock.
    """
    tracked = [line for line in order.lines if products[line.product_id].stock is not None]
    short = uow.products.reserve_many({line.product_id: line.quantity for line in tracked})
    if short:
        left = uow.products.get_many(sorted(short))
        raise not_enough_stock([StockMustCoverCartLine(
            "items", line.name, line.product_id, line.quantity,
            left[line.product_id].stock if line.product_id in left else 0).message
            for line in tracked if line.product_id in short])
    for line in tracked:
        record_stock_moved(uow, products[line.product_id], -line.quantity)


class ListOrders:
    """The caller's own orders, newest first, optionally of one status."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, user_id: int, page: PageRequest,
                 status: str | None = None) -> Page[Order]:
        if status is not None and status not in set(Status):
            raise ValidationFailed("Unknown status.", {"status": [
                f"Select one of: {', '.join(Status)}."]})
        with self.uow:
            items, total = self.uow.orders.list(user_id, status, page)
        return Page(items, total, page)


class GetOrder:
    """One order, for its owner or staff."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, order_id: int, viewer: Viewer) -> Order:
        with self.uow:
            return load_order(self.uow, order_id, viewer)


@dataclass
class CancelOrder:
    """The owner or staff cancel a pending or paid order; a paid one is refunded in full first.

    The refund is recorded, committed, asked of the provider, and only once it is accepted
    is the order cancelled and its stock put back; a refused refund leaves the order paid.
    """

    uow: UnitOfWork
    clock: Clock
    gateway: PaymentGateway

    def __call__(self, *, order_id: int, viewer: Viewer, note: str = "") -> Order:
        actor = Actor.STAFF if viewer.is_staff else Actor.OWNER
        with self.uow:
            order = load_order(self.uow, order_id, viewer, lock=True)
            order.check_move(Status.CANCELLED, actor)
            ledger = Ledger.of(self.uow.payments.of_order(order_id), order.currency)
            check_state(OrderMustHaveNoPaymentInFlight("order_id", ledger.in_flight),
                        error=Conflict)
            planned = pending_refunds(self.uow, order_id, RefundReason.CANCEL)
            if Money.zero(order.currency) < ledger.left:
                planned += plan_refunds(self.uow, order, ledger.left, RefundReason.CANCEL,
                                        self.clock.now())
            self.uow.commit()
        asked = ask_provider(self.gateway, planned)
        with self.uow:
            order = load_order(self.uow, order_id, viewer, lock=True)
            record_answers(self.uow, asked, self.clock.now())
            if asked.error is None:
                move_order(self.uow, order, Status.CANCELLED, actor, viewer.name,
                           self.clock.now(), note or "cancelled")
            self.uow.commit()
        if asked.error is not None:
            raise refund_failed(asked.error)
        return order


@dataclass
class ChangeOrderStatus:
    """Staff move an order along the transition table."""

    uow: UnitOfWork
    clock: Clock
    cancel: CancelOrder

    def __call__(self, *, order_id: int, status: str, viewer: Viewer, note: str = "") -> Order:
        if not viewer.is_staff:
            raise PermissionDenied("Only staff change an order's status.")
        try:
            target = Status(status)
        except ValueError:
            raise ValidationFailed("Unknown status.", {"status": [
                f"Select one of: {', '.join(Status)}."]}) from None
        if target is Status.CANCELLED:  # a paid order is refunded first, as on /cancel/
            return self.cancel(order_id=order_id, viewer=viewer, note=note)
        with self.uow:
            order = load_order(self.uow, order_id, viewer, lock=True)
            move_order(self.uow, order, target, Actor.STAFF, viewer.name, self.clock.now(), note)
            self.uow.commit()
        return order


@dataclass
class ExpireOrders:
    """Cancel pending orders older than `after` and put their stock back on sale.

    An order with an attempt still in flight, or a payment the provider says succeeded,
    is left for reconciliation: its money may be on its way.
    """

    uow: UnitOfWork
    clock: Clock
    after: timedelta

    def __call__(self, *, limit: int = 100) -> int:
        now = self.clock.now()
        with self.uow:
            expired = 0
            for order_id in self.uow.orders.pending_before(now - self.after, limit):
                order = self.uow.orders.get(order_id, for_update=True)
                if order is None or order.status is not Status.PENDING:
                    continue
                ledger = Ledger.of(self.uow.payments.of_order(order_id), order.currency)
                if ledger.in_flight or Money.zero(order.currency) < ledger.paid:
                    continue
                move_order(self.uow, order, Status.CANCELLED, Actor.SYSTEM, "system", now,
                           "expired unpaid")
                expired += 1
            self.uow.commit()
        return expired
