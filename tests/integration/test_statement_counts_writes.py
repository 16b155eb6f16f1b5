"""SQL statements per write request on PostgreSQL: a fixed, small number, whatever the cart holds.

Counted with a `before_cursor_execute` listener on the app's engine (the pool's ping and the
COMMIT are not statements of the request). Speed itself is for the benchmark to measure.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event

from tests.helpers import Headers, Shop, make_category, make_product

pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("database_url", ["postgres"], indirect=True)]

CART_ADD = 4  # lock-and-count the cart, its lines with their products, upsert the line, outbox
CART_VIEW_AFTER_A_CHANGE = 1  # the cart's lines with their products
CHECKOUT = 8  # cart, lines, pending orders counted (the cap), products locked, stock, the
# order with its lines and history (one INSERT), cart emptied, outbox
PAYMENT = 8  # begin: the order with its lines and history, attempts, insert; settle: the order,
# its attempts locked, the payment's update, the move (status and history in one), outbox


class Statements:
    """The statements the app's engine ran since `reset`."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def reset(self) -> None:
        self.seen.clear()

    def __call__(self, *args: Any) -> None:
        self.seen.append(str(args[2]))

    @property
    def count(self) -> int:
        return len(self.seen)


@pytest.fixture
def statements(shop: Shop) -> Iterator[Statements]:
    engine = shop.container.gateways.engine()
    counter = Statements()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


def stocked_products(shop: Shop, count: int) -> list[int]:
    staff = shop.staff()
    category = make_category(shop.client, staff, "Books")["id"]
    return [make_product(shop.client, staff, category, name=f"Book {n}", stock=50)["id"]
            for n in range(count)]


def fill_cart(shop: Shop, customer: Headers, product_ids: list[int]) -> None:
    # The account behind a token is read once, then held for a few seconds: warm it first.
    assert shop.client.get("/api/users/profile/", headers=customer).status_code == 200
    for product_id in product_ids:
        response = shop.client.post("/api/cart/add/", headers=customer,
                                    json={"product_id": product_id, "quantity": 2})
        assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize("lines", [0, 20])
def test_adding_to_a_cart_costs_four_statements_whatever_it_holds(
    shop: Shop, statements: Statements, lines: int,
) -> None:
    *held, added = stocked_products(shop, lines + 1)
    customer = shop.customer()
    fill_cart(shop, customer, held)

    for _ in range(2):  # a new line, then more of it
        statements.reset()
        response = shop.client.post("/api/cart/add/", headers=customer,
                                    json={"product_id": added, "quantity": 1})
        assert response.status_code == 200, response.get_json()
        assert statements.count == CART_ADD, statements.seen
    assert len(response.get_json()["items"]) == lines + 1


def test_viewing_a_cart_costs_one_statement_after_a_change_and_none_once_cached(
    shop: Shop, statements: Statements,
) -> None:
    customer = shop.customer()
    fill_cart(shop, customer, stocked_products(shop, 20))

    statements.reset()
    assert len(shop.client.get("/api/cart/", headers=customer).get_json()["items"]) == 20
    assert statements.count == CART_VIEW_AFTER_A_CHANGE, statements.seen

    statements.reset()
    assert shop.client.get("/api/cart/", headers=customer).status_code == 200
    assert statements.count == 0, statements.seen


@pytest.mark.parametrize("lines", [1, 20])
def test_checking_out_and_paying_cost_eight_statements_each_whatever_the_cart_holds(
    shop: Shop, statements: Statements, lines: int,
) -> None:
    customer = shop.customer()
    fill_cart(shop, customer, stocked_products(shop, lines))

    statements.reset()
    order = shop.client.post("/api/orders/create/", headers=customer)
    assert order.status_code == 201, order.get_json()
    assert statements.count == CHECKOUT, statements.seen

    statements.reset()
    payment = shop.client.post("/api/payments/process/", headers=customer, json={
        "order_id": order.get_json()["id"], "payment_method_id": "pm_card_visa"})
    assert payment.status_code in (200, 201), payment.get_json()
    assert statements.count == PAYMENT, statements.seen
    assert shop.client.get(f"/api/orders/{order.get_json()['id']}/",
                           headers=customer).get_json()["status"] == "paid"

