"""The aggregates decide: checkout, the cart's stock, product changes and passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import UNSET, Product, ProductChanges, ProductQuery
from shopcore.domain.errors import Conflict, NotFound, ValidationFailed
from shopcore.domain.events import ProductChanged
from shopcore.domain.money import Money
from shopcore.domain.order import Order
from shopcore.domain.user import User

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def a_product(product_id: int, name: str = "Dune", price: str = "9.99",
              stock: int | None = 5, currency: str = "USD") -> Product:
    return Product(name=name, slug=name.lower(), description="",
                   price=Money(Decimal(price), currency), category_id=1, stock=stock,
                   created_at=NOW, updated_at=NOW, id=product_id)


def a_cart(*products: Product, quantity: int = 2) -> Cart:
    cart = Cart(user_id=7)
    for product in products:
        cart.add(product, quantity, NOW)
    return cart


def test_an_empty_cart_cannot_be_placed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Order.place(Cart(user_id=7), {}, NOW, "user:7")

    assert refused.value.message == "The cart is empty."
    assert refused.value.errors == {}  # the state is at fault, not a field of the request


def test_checkout_names_every_line_that_cannot_be_had_in_product_order() -> None:
    dune, emma, gone = a_product(1), a_product(2, "Emma"), a_product(3, "Gone")
    cart = a_cart(gone, emma, dune, quantity=3)
    short = {1: a_product(1, stock=2), 2: a_product(2, "Emma", stock=None)}

    with pytest.raises(Conflict) as refused:
        Order.place(cart, short, NOW, "user:7")

    assert refused.value.errors == {"items": [
        "Dune (id 1): 3 wanted, 2 in stock", "Gone (id 3) is no longer sold"]}
    assert refused.value.message == (
        "Not enough stock: Dune (id 1): 3 wanted, 2 in stock; Gone (id 3) is no longer sold.")


def test_each_order_line_keeps_its_products_own_price_and_currency() -> None:
    dune = a_product(1, price="9.99", currency="EUR")
    cart = a_cart(dune)
    dearer = {1: a_product(1, price="12.00", currency="EUR")}

    order = Order.place(cart, dearer, NOW, "user:7")

    assert [line.unit_price for line in order.lines] == [Money(Decimal("12.00"), "EUR")]
    assert order.currency == "EUR"
    assert order.total == Money(Decimal("24.00"), "EUR")
    assert (order.user_id, order.history[0].actor) == (7, "user:7")


def test_a_cart_mixing_currencies_cannot_be_placed() -> None:
    dollars, euros = a_product(1), a_product(2, "Emma", currency="EUR")

    with pytest.raises(Conflict) as refused:
        Order.place(a_cart(dollars, euros), {1: dollars, 2: euros}, NOW, "user:7")

    assert "items" in refused.value.errors


def test_the_cart_refuses_more_than_the_stock_with_the_apis_words() -> None:
    dune = a_product(1, stock=3)
    cart = a_cart(dune, quantity=2)

    with pytest.raises(Conflict) as refused:
        cart.add(dune, 2, NOW)

    assert refused.value.message == "Only 3 of Dune in stock."
    assert refused.value.errors == {"quantity": ["Only 3 in stock."]}
    assert cart.quantity_of(1) == 2
    with pytest.raises(Conflict):
        cart.change(1, 4, dune)
    with pytest.raises(NotFound):
        cart.change(1, 1, None)
    cart.change(1, 0, None)
    assert cart.lines == {}


def test_a_product_update_changes_only_what_is_given_and_records_it() -> None:
    dune = a_product(1)
    later = NOW + timedelta(hours=1)

    dune.update(ProductChanges(name="  Dune Messiah ", price=Decimal("11.00")), now=later,
                slug_for=lambda name: "dune-messiah")

    assert (dune.name, dune.slug, dune.price, dune.stock, dune.updated_at) == (
        "Dune Messiah", "dune-messiah", Money(Decimal("11.00"), "USD"), 5, later)
    [event] = dune.events
    assert isinstance(event, ProductChanged) and event.change == "updated"


def test_changes_are_checked_before_any_product_is_touched() -> None:
    with pytest.raises(ValidationFailed) as refused:
        ProductChanges(name=" ", stock=-1)

    assert list(refused.value.errors) == ["stock", "name"]
    assert ProductChanges().name is UNSET


def test_a_listing_query_must_be_known_and_not_upside_down() -> None:
    with pytest.raises(ValidationFailed, match=r"Unknown ordering\."):
        ProductQuery(ordering="stock").check()
    with pytest.raises(ValidationFailed) as upside_down:
        ProductQuery(min_price=Decimal(5), max_price=Decimal(4)).check()
    assert upside_down.value.errors == {"min_price": ["Must not be above max_price."]}
    ProductQuery(min_price=Decimal(4), max_price=Decimal(4), ordering="-price").check()


def plain_verify(password: str, hashed: str | None) -> bool:
    return hashed == f"plain:{password}"


def plain_hash(password: str) -> str:
    return f"plain:{password}"


def test_a_password_changes_only_with_the_old_one_and_for_a_strong_one() -> None:
    user = User(username="ada", email="ada@example.com", password_hash="plain:old-password",
                date_joined=NOW)

    with pytest.raises(ValidationFailed) as wrong:
        user.change_password("guess", "new-password", verify=plain_verify, hash=plain_hash,
                             now=NOW)
    assert wrong.value.errors == {"old_password": ["The old password is wrong."]}
    with pytest.raises(ValidationFailed) as weak:
        user.change_password("old-password", "12345678", verify=plain_verify, hash=plain_hash,
                             now=NOW)
    assert list(weak.value.errors) == ["new_password"]
    assert user.password_hash == "plain:old-password"
    assert user.tokens_valid_after is None

    user.change_password("old-password", "new-password", verify=plain_verify, hash=plain_hash,
                         now=NOW)
    assert user.password_hash == "plain:new-password"
    assert user.tokens_valid_after == NOW
