"""Loading an order as a viewer may see it, and moving it along the table: shared by use cases."""

from __future__ import annotations

from datetime import datetime

from shopcore.application.viewer import Viewer
from shopcore.domain.catalog import Product
from shopcore.domain.errors import NotFound
from shopcore.domain.order import RELEASES_STOCK, Actor, Order, Status
from shopcore.ports.unit_of_work import UnitOfWork

__all__ = ["load_order", "move_order", "record_stock_moved"]


def load_order(uow: UnitOfWork, order_id: int, viewer: Viewer, lock: bool = False) -> Order:
    """The order if the viewer may see it; anyone else's is simply not found."""
    order = uow.orders.get(order_id, for_update=lock)
    if order is None or not (viewer.is_staff or order.user_id == viewer.user_id):
        raise NotFound("Order not found.")
    return order


def move_order(uow: UnitOfWork, order: Order, target: Status, actor: Actor, who: str,
               now: datetime, note: str = "") -> None:
    """Move the order along the table, put its stock back if the move says so, store it."""
    order.move_to(target, actor, who, now, note)
    if target in RELEASES_STOCK:
        products = uow.products.get_many(sorted(line.product_id for line in order.lines))
        for line in order.lines:
            uow.products.release(line.product_id, line.quantity)
            if line.product_id in products:
                record_stock_moved(uow, products[line.product_id], line.quantity)
    uow.orders.save(order)


def record_stock_moved(uow: UnitOfWork, product: Product, by: int) -> None:
    """`product` (as loaded) gained `by` units, or lost them: its `product.changed` is stored."""
    if product.stock is not None:
        product.stock_moved(by)
        uow.track(product)
