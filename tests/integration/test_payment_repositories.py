"""Payment attempts and their refunds: one contract for memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Category, Product
from shopcore.domain.errors import Conflict
from shopcore.domain.money import Money
from shopcore.domain.order import Order
from shopcore.domain.pagination import PageRequest
from shopcore.domain.payment import Payment, PaymentStatus, RefundReason
from shopcore.domain.user import User
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def an_order(new_uow: UowFactory, name: str = "ada") -> Order:
    with new_uow() as uow:
        user = User(username=name, email=f"{name}@example.com", password_hash="h",
                    date_joined=NOW)
        uow.users.add(user)
        category = Category(f"Shelf {name}", f"shelf-{name}")
        uow.categories.add(category)
        assert user.id is not None and category.id is not None
        product = Product(name=f"Dune {name}", slug=f"dune-{name}", description="",
                          price=Money(Decimal("9.99"), "USD"), category_id=category.id,
                          stock=None, created_at=NOW, updated_at=NOW)
        uow.products.add(product)
        assert product.id is not None
        cart = Cart(user_id=user.id)
        cart.add(product, 2, NOW)
        order = Order.place(cart, {product.id: product}, NOW, f"user:{user.id}")
        uow.orders.add(order)
        uow.commit()
    return order


def add(new_uow: UowFactory, order: Order, attempt: int = 1,
        at: datetime = NOW) -> Payment:
    payment = Payment.start(order, attempt, "pm_card_visa", "memory", at)
    with new_uow() as uow:
        uow.payments.add(payment)
        uow.commit()
    return payment


def settle(new_uow: UowFactory, payment: Payment, status: PaymentStatus) -> Payment:
    with new_uow() as uow:
        found = uow.payments.get(payment.id or 0, for_update=True)
        assert found is not None
        found.settle(status, NOW, reference=f"pi_{payment.order_id}_{payment.attempt}",
                     decline_code="card_declined" if status == "failed" else None)
        uow.payments.save(found)
        uow.commit()
    return found


def test_an_added_payment_comes_back_equal_by_id_reference_and_attempt(
    new_uow: UowFactory,
) -> None:
    order = an_order(new_uow)
    payment = settle(new_uow, add(new_uow, order), PaymentStatus.SUCCEEDED)

    with new_uow() as uow:
        assert uow.payments.get(payment.id or 0) == payment
        assert uow.payments.by_reference("pi_1_1") == payment
        assert uow.payments.by_attempt(order.id or 0, 1) == payment
        assert uow.payments.by_reference("pi_none") is None
        assert uow.payments.by_attempt(order.id or 0, 2) is None
        assert uow.payments.of_order(order.id or 0) == [payment]


def test_refunds_are_kept_in_order_with_their_states(new_uow: UowFactory) -> None:
    payment = settle(new_uow, add(new_uow, an_order(new_uow)), PaymentStatus.SUCCEEDED)
    with new_uow() as uow:
        found = uow.payments.get(payment.id or 0, for_update=True)
        assert found is not None
        found.confirm_refund(found.request_refund(Money(Decimal("5.00"), "USD"), NOW), "re_1",
                             NOW)
        found.request_refund(Money(Decimal("2.50"), "USD"), NOW, RefundReason.CANCEL)
        uow.payments.save(found)
        uow.commit()

    with new_uow() as uow:
        assert uow.payments.get(payment.id or 0) == found
    assert [(r.amount.amount, r.status, r.reason) for r in found.refunds] == [
        (Decimal("5.00"), "succeeded", "requested"), (Decimal("2.50"), "pending", "cancel")]


def test_an_order_has_one_open_attempt_and_each_attempt_number_once(
    new_uow: UowFactory,
) -> None:
    order = an_order(new_uow)
    first = add(new_uow, order)

    with pytest.raises(Conflict):
        add(new_uow, order, attempt=2)
    with pytest.raises(Conflict):
        settle(new_uow, first, PaymentStatus.FAILED)
        add(new_uow, order, attempt=1)
    second = add(new_uow, order, attempt=2)

    with new_uow() as uow:
        assert [p.attempt for p in uow.payments.of_order(order.id or 0)] == [1, 2]
    assert second.is_open


def test_the_open_attempt_of_another_order_is_no_conflict(new_uow: UowFactory) -> None:
    add(new_uow, an_order(new_uow, "ada"))
    add(new_uow, an_order(new_uow, "bob"))


def test_a_users_payments_list_newest_first_and_paginate(new_uow: UowFactory) -> None:
    order, other = an_order(new_uow, "ada"), an_order(new_uow, "bob")
    for attempt in (1, 2, 3):
        settle(new_uow, add(new_uow, order, attempt), PaymentStatus.FAILED)
    add(new_uow, other)

    with new_uow() as uow:
        page, total = uow.payments.list(order.user_id, PageRequest(1, 2))
        rest, _ = uow.payments.list(order.user_id, PageRequest(2, 2))

    assert total == 3
    assert [p.attempt for p in page] + [p.attempt for p in rest] == [3, 2, 1]


def test_open_attempts_older_than_a_moment_are_found_oldest_first(new_uow: UowFactory) -> None:
    old, recent, done = (an_order(new_uow, name) for name in ("ada", "bob", "cyd"))
    a = add(new_uow, old, at=NOW - timedelta(hours=2))
    add(new_uow, recent, at=NOW)
    settle(new_uow, add(new_uow, done, at=NOW - timedelta(hours=3)), PaymentStatus.SUCCEEDED)

    with new_uow() as uow:
        assert list(uow.payments.open_before(NOW - timedelta(minutes=15), 10)) == [a.id]
