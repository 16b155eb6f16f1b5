"""Carts, orders and stock reservation: one contract for every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Category, Product
from shopcore.domain.money import Money
from shopcore.domain.order import Actor, Order, Status
from shopcore.domain.pagination import PageRequest
from shopcore.domain.user import User
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def seed(new_uow: UowFactory, stock: int | None = 5) -> tuple[int, int]:
    """A user and a product; their ids."""
    with new_uow() as uow:
        user = User(username="ada", email="ada@example.com", password_hash="h", date_joined=NOW)
        uow.users.add(user)
        category = Category("Books", "books")
        uow.categories.add(category)
        assert category.id is not None
        product = Product(name="Dune", slug="dune", description="",
                          price=Money(Decimal("9.99"), "USD"), category_id=category.id,
                          stock=stock, created_at=NOW, updated_at=NOW)
        uow.products.add(product)
        uow.commit()
    assert user.id is not None and product.id is not None
    return user.id, product.id


def item(product_id: int, price: str = "9.99", name: str = "Dune",
         at: datetime = NOW) -> Product:
    """A stored product as a cart or an order sees it (stock untracked)."""
    return Product(name=name, slug=name.lower(), description="", price=Money(Decimal(price), "USD"),
                   category_id=1, stock=None, created_at=at, updated_at=at, id=product_id)


def an_order(user_id: int, product_id: int, quantity: int = 2,
             at: datetime = NOW) -> Order:
    dune = item(product_id, at=at)
    cart = Cart(user_id=user_id)
    cart.add(dune, quantity, at)
    return Order.place(cart, {product_id: dune}, at, f"user:{user_id}")


def test_a_user_without_a_cart_gets_an_empty_one_and_a_saved_cart_reads_back(
    new_uow: UowFactory,
) -> None:
    user_id, product_id = seed(new_uow)
    with new_uow() as uow:
        cart = uow.carts.get(user_id, for_update=True)
        assert cart.lines == {}
        cart.add(item(product_id), 2, NOW)
        cart.add(item(product_id), 1, NOW)
        uow.carts.save(cart)
        uow.commit()
    with new_uow() as uow:
        loaded = uow.carts.get(user_id)
        assert loaded.quantity_of(product_id) == 3
        assert loaded.lines[product_id].added_price == Decimal("9.99")
        assert loaded.lines[product_id].added_at == NOW
        assert loaded.version == 2
        assert uow.carts.holding(product_id) == [user_id]
        loaded.clear()
        uow.carts.save(loaded)
        uow.commit()
    with new_uow() as uow:
        assert uow.carts.get(user_id).lines == {}
        assert uow.carts.holding(product_id) == []


def test_a_cart_reads_with_its_products_and_those_asked_for_in_one_call(
    new_uow: UowFactory,
) -> None:
    user_id, dune = seed(new_uow)
    with new_uow() as uow:
        cart, found = uow.carts.get_with_products(user_id, also=[dune, 999], for_update=True)
        assert cart.lines == {}
        assert set(found) == {dune}
        assert found[dune].price == Money(Decimal("9.99"), "USD")
        assert found[dune].created_at == NOW
        emma = Product(name="Emma", slug="emma", description="", price=Money(Decimal("5.00"),
                       "USD"), category_id=found[dune].category_id, stock=None,
                       created_at=NOW, updated_at=NOW)
        gone = Product(name="Gone", slug="gone", description="", price=Money(Decimal("1.00"),
                       "USD"), category_id=found[dune].category_id, stock=3,
                       created_at=NOW, updated_at=NOW)
        uow.products.add_many([emma, gone])
        assert emma.id is not None and gone.id is not None
        cart.add(gone, 1, NOW + timedelta(minutes=1))
        cart.add(found[dune], 2, NOW + timedelta(minutes=2))
        uow.carts.save(cart)
        uow.commit()
    with new_uow() as uow:
        stored = uow.products.get(gone.id)
        assert stored is not None
        uow.products.delete(stored)
        uow.commit()
    with new_uow() as uow:
        cart, found = uow.carts.get_with_products(user_id, also=[emma.id, dune])
        assert list(cart.lines) == [gone.id, dune]  # the order they were added in
        assert cart.lines[dune].quantity == 2
        assert cart.lines[dune].added_at == NOW + timedelta(minutes=2)
        assert cart.version == 2
        assert set(found) == {dune, emma.id}  # a line whose product is gone has none
        view = cart.view(found, "USD")
        assert [p.code for p in view.problems] == ["unavailable"]
        locked, _ = uow.carts.get_with_products(user_id, for_update=True)
        assert locked.version == 2 and locked.lines == cart.lines


def test_cart_changes_record_cart_updated_events_in_the_outbox(new_uow: UowFactory) -> None:
    user_id, product_id = seed(new_uow)
    with new_uow() as uow:
        cart = uow.carts.get(user_id, for_update=True)
        cart.add(item(product_id), 2, NOW)
        uow.carts.save(cart)
        uow.commit()
    with new_uow() as uow:
        events = [m.envelope for m in uow.outbox.since(NOW - timedelta(days=3650))
                  if m.envelope.type == "cart.updated"]
    assert [(e.key, e.payload["items"]) for e in events] == [
        (str(user_id), [{"product_id": product_id, "quantity": 2}])]


def test_reserve_takes_stock_only_when_there_is_enough_and_release_gives_it_back(
    new_uow: UowFactory,
) -> None:
    _, product_id = seed(new_uow, stock=5)
    with new_uow() as uow:
        assert uow.products.reserve(product_id, 3) is True
        assert uow.products.reserve(product_id, 3) is False
        assert uow.products.reserve(product_id, 2) is True
        assert uow.products.reserve(product_id + 100, 1) is False
        uow.products.release(product_id, 4)
        uow.commit()
    with new_uow() as uow:
        product = uow.products.get(product_id)
        assert product is not None and product.stock == 4
        assert list(uow.products.get_many([product_id, product_id + 100])) == [product_id]


def test_untracked_stock_is_never_reserved(new_uow: UowFactory) -> None:
    _, product_id = seed(new_uow, stock=None)
    with new_uow() as uow:
        assert uow.products.reserve(product_id, 1) is False
        uow.products.release(product_id, 1)
        product = uow.products.get(product_id)
        assert product is not None and product.stock is None


def test_an_order_reads_back_with_its_lines_and_history_and_saves_new_statuses(
    new_uow: UowFactory,
) -> None:
    user_id, product_id = seed(new_uow)
    with new_uow() as uow:
        order = an_order(user_id, product_id)
        uow.orders.add(order)
        uow.commit()
    assert order.id is not None
    with new_uow() as uow:
        loaded = uow.orders.get(order.id, for_update=True)
        assert loaded == order
        assert loaded is not None and loaded.total == Money(Decimal("19.98"), "USD")
        loaded.move_to(Status.PAID, Actor.PAYMENT, "payment", NOW + timedelta(minutes=1))
        loaded.move_to(Status.SHIPPED, Actor.STAFF, "staff:1", NOW + timedelta(minutes=2),
                       "tracking 123")
        uow.orders.save(loaded)
        uow.commit()
    with new_uow() as uow:
        again = uow.orders.get(order.id)
        assert again is not None
        assert [(h.status, h.actor, h.note) for h in again.history] == [
            (Status.PENDING, f"user:{user_id}", "order placed"),
            (Status.PAID, "payment", ""),
            (Status.SHIPPED, "staff:1", "tracking 123")]


def test_orders_list_newest_first_per_user_and_status_and_pending_ones_age(
    new_uow: UowFactory,
) -> None:
    user_id, product_id = seed(new_uow)
    with new_uow() as uow:
        for minutes in (0, 10, 20):
            uow.orders.add(an_order(user_id, product_id, at=NOW + timedelta(minutes=minutes)))
        uow.commit()
    with new_uow() as uow:
        first = uow.orders.get(1)
        assert first is not None
        first.move_to(Status.CANCELLED, Actor.OWNER, "user", NOW)
        uow.orders.save(first)
        uow.commit()
    with new_uow() as uow:
        items, total = uow.orders.list(user_id, None, PageRequest(1, 2))
        assert (total, [o.id for o in items]) == (3, [3, 2])
        pending, count = uow.orders.list(user_id, "pending", PageRequest())
        assert (count, [o.id for o in pending]) == (2, [3, 2])
        assert uow.orders.list(user_id + 1, None, PageRequest())[1] == 0
        assert list(uow.orders.pending_before(NOW + timedelta(minutes=15), 10)) == [2]


def test_a_cart_line_quantity_must_be_positive() -> None:
    from shopcore.domain.errors import ValidationFailed

    cart = Cart(user_id=1)
    with pytest.raises(ValidationFailed):
        cart.add(item(1, "1.00", "x"), 0, NOW)


def test_saving_a_cart_stores_the_touched_lines_and_keeps_the_others(
    new_uow: UowFactory,
) -> None:
    user_id, product_id = seed(new_uow)
    others = [product_id + 100, product_id + 200]
    with new_uow() as uow:
        cart = uow.carts.get(user_id, for_update=True)
        for pid in (product_id, *others):
            cart.add(item(pid, "1.00", f"p{pid}"), 1, NOW)
        uow.carts.save(cart)
        uow.commit()
    with new_uow() as uow:
        cart = uow.carts.get(user_id, for_update=True)
        cart.change(product_id, 4, item(product_id, "1.00"))
        cart.remove(others[0])
        uow.carts.save(cart)
        uow.commit()
    with new_uow() as uow:
        loaded = uow.carts.get(user_id)
    assert {pid: line.quantity for pid, line in loaded.lines.items()} == {
        product_id: 4, others[1]: 1}
    assert loaded.version == 5
