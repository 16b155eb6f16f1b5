"""The order state machine, checkout and idempotency keys, on the in-memory adapters."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from shopcore import App
from shopcore.application.viewer import Viewer
from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict, NotFound, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.order import TRANSITIONS, Actor, Order, Status, allowed, mermaid

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def an_order() -> Order:
    dune = Product(name="Dune", slug="dune", description="", price=Money(Decimal("9.99"), "USD"),
                   category_id=1, stock=None, created_at=NOW, updated_at=NOW, id=1)
    cart = Cart(user_id=1)
    cart.add(dune, 2, NOW)
    order = Order.place(cart, {1: dune}, NOW, "user:1")
    order.id = 1
    return order


@pytest.mark.parametrize("start", list(Status))
@pytest.mark.parametrize("target", list(Status))
@pytest.mark.parametrize("actor", list(Actor))
def test_an_order_moves_only_along_the_table_and_only_for_its_actors(
    start: Status, target: Status, actor: Actor
) -> None:
    order = an_order()
    order.status = start
    if actor in TRANSITIONS.get((start, target), frozenset()):
        order.move_to(target, actor, str(actor), NOW)
        assert order.status is target
        assert order.history[-1].status is target
        assert order.events[-1].payload()["from_status"] == start
    else:
        with pytest.raises(Conflict):
            order.move_to(target, actor, str(actor), NOW)
        assert order.status is start


def test_the_owner_may_only_cancel_and_staff_ship_and_deliver() -> None:
    assert allowed(Status.PENDING, Actor.OWNER) == [Status.CANCELLED]
    assert allowed(Status.PAID, Actor.STAFF) == [Status.SHIPPED, Status.CANCELLED]
    assert allowed(Status.SHIPPED, Actor.OWNER) == []
    assert allowed(Status.DELIVERED, Actor.STAFF) == []


def test_the_graph_names_every_transition() -> None:
    graph = mermaid()
    assert graph.startswith("stateDiagram-v2")
    for frm, to in TRANSITIONS:
        assert f"{frm} --> {to}" in graph


@pytest.fixture
def shop() -> App:
    return App.in_memory(password_hasher="plain")


def stocked(shop: App, stock: int | None = 3) -> tuple[int, int]:
    user = shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    category = shop.create_category(name="Books").category
    assert category.id is not None and user.id is not None
    product = shop.create_product(name="Dune", price=Decimal("9.99"), category_id=category.id,
                                  stock=stock)
    assert product.id is not None
    return user.id, product.id


def test_checkout_of_an_empty_cart_is_refused(shop: App) -> None:
    user_id, _ = stocked(shop)
    with pytest.raises(ValidationFailed):
        shop.place_order(user_id=user_id)


def test_checkout_names_each_short_product_and_reserves_nothing(shop: App) -> None:
    user_id, product_id = stocked(shop, stock=3)
    shop.add_to_cart(user_id=user_id, product_id=product_id, quantity=3)
    shop.update_product(product_id=product_id, stock=1)

    with pytest.raises(Conflict) as short:
        shop.place_order(user_id=user_id)

    assert "Dune (id 1): 3 wanted, 1 in stock" in short.value.errors["items"]
    assert shop.get_product(product_id=product_id).stock == 1
    assert shop.get_cart(user_id=user_id).item_count == 3


def test_another_users_order_is_not_found_but_staff_see_it(shop: App) -> None:
    user_id, product_id = stocked(shop)
    shop.add_to_cart(user_id=user_id, product_id=product_id, quantity=1)
    order = shop.place_order(user_id=user_id)
    assert order.id is not None

    with pytest.raises(NotFound):
        shop.get_order(order_id=order.id, viewer=Viewer(user_id + 1))
    assert shop.get_order(order_id=order.id, viewer=Viewer(99, is_staff=True)).id == order.id


def test_the_same_key_and_body_replays_the_first_answer_and_another_body_conflicts(
    shop: App,
) -> None:
    calls: list[int] = []

    def action() -> dict[str, object]:
        calls.append(1)
        return {"id": len(calls)}

    first = shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                              action=action)
    again = shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                              action=action)
    other_user = shop.idempotently(user_id=2, endpoint="orders.create", key="k", body={},
                                   action=action)
    with pytest.raises(Conflict):
        shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={"x": 1},
                          action=action)

    assert first == again == {"id": 1}
    assert other_user == {"id": 2}
    assert len(calls) == 2


def test_a_key_whose_request_crashed_can_be_used_again(shop: App) -> None:
    def crash() -> dict[str, object]:
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={}, action=crash)
    assert shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                             action=lambda: {"ok": True}) == {"ok": True}


def test_a_repeat_while_the_first_request_is_still_running_conflicts(shop: App) -> None:
    seen: list[str] = []

    def first() -> dict[str, object]:
        with pytest.raises(Conflict) as running:
            shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                              action=lambda: {})
        seen.append(running.value.message)
        return {"id": 1}

    assert shop.idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                             action=first) == {"id": 1}
    assert seen == ["A request with this Idempotency-Key is still being processed."]
