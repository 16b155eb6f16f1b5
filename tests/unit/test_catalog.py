"""Catalog use cases on the in-memory adapters."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.domain.catalog import ProductQuery
from shopcore.domain.errors import Conflict, NotFound, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.pagination import PageRequest

START = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(START)


@pytest.fixture
def app(clock: FixedClock) -> Iterator[App]:
    shop = App.in_memory(password_hasher="plain")
    with shop.container.core.clock.override(clock), shop:
        yield shop


@pytest.fixture
def books(app: App) -> int:
    category_id: int = app.create_category(name="Books").category.id
    return category_id


def add(app: App, category_id: int, name: str, price: str = "1.00", **extra: Any) -> Any:
    return app.create_product(name=name, price=Decimal(price), category_id=category_id, **extra)


def listed(app: App, page: PageRequest | None = None, **query: Any) -> list[str]:
    result = app.list_products(query=ProductQuery(**query), page=page or PageRequest())
    return [p.name for p in result.items]


# Categories


def test_a_new_category_gets_a_slug_and_no_products(app: App) -> None:
    view = app.create_category(name="  Science Fiction ", description="Far futures")

    assert view.category.name == "Science Fiction"
    assert view.category.slug == "science-fiction"
    assert view.category.description == "Far futures"
    assert view.product_count == 0
    assert app.get_category(category_id=view.category.id) == view


def test_category_names_are_unique_ignoring_case(app: App, books: int) -> None:
    with pytest.raises(Conflict) as caught:
        app.create_category(name="BOOKS")

    assert "name" in caught.value.errors
    assert app.list_categories(page=PageRequest()).total == 1


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_a_blank_or_too_long_category_name_is_refused(app: App, name: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        app.create_category(name=name)

    assert list(caught.value.errors) == ["name"]


def test_categories_whose_names_slug_alike_get_numbered_slugs(app: App) -> None:
    slugs = [app.create_category(name=n).category.slug for n in ("Books!", "Books?", "books.")]

    assert slugs == ["books", "books-2", "books-3"]


def test_renaming_a_category_gives_it_a_new_slug(app: App, books: int) -> None:
    view = app.update_category(category_id=books, name="Comics")

    assert (view.category.name, view.category.slug) == ("Comics", "comics")
    assert app.get_category(category_id=books).category.slug == "comics"


def test_changing_only_the_case_of_a_name_is_allowed(app: App, books: int) -> None:
    view = app.update_category(category_id=books, name="BOOKS")

    assert (view.category.name, view.category.slug) == ("BOOKS", "books")


def test_renaming_a_category_to_another_categorys_name_is_a_conflict(
    app: App, books: int
) -> None:
    toys = app.create_category(name="Toys").category.id

    with pytest.raises(Conflict):
        app.update_category(category_id=toys, name="books")

    assert app.get_category(category_id=toys).category.name == "Toys"


def test_changing_the_description_keeps_the_name(app: App, books: int) -> None:
    view = app.update_category(category_id=books, description="Paper")

    assert (view.category.name, view.category.description) == ("Books", "Paper")


def test_an_updated_category_reports_its_product_count(app: App, books: int) -> None:
    add(app, books, "Dune")

    assert app.update_category(category_id=books, description="x").product_count == 1


def test_categories_are_listed_with_their_product_counts(app: App, books: int) -> None:
    toys = app.create_category(name="Toys").category.id
    add(app, books, "Dune")
    add(app, books, "Emma")
    add(app, toys, "Kite")

    page = app.list_categories(page=PageRequest())

    assert page.total == 2
    assert [(v.category.name, v.product_count) for v in page.items] == [("Books", 2), ("Toys", 1)]


def test_an_empty_category_can_be_deleted(app: App, books: int) -> None:
    app.delete_category(category_id=books)

    with pytest.raises(NotFound):
        app.get_category(category_id=books)


def test_a_category_that_holds_products_cannot_be_deleted(app: App, books: int) -> None:
    add(app, books, "Dune")

    with pytest.raises(Conflict):
        app.delete_category(category_id=books)

    assert app.get_category(category_id=books).product_count == 1


@pytest.mark.parametrize("use_case", ["get_category", "delete_category", "update_category"])
def test_an_unknown_category_is_not_found(app: App, use_case: str) -> None:
    with pytest.raises(NotFound):
        getattr(app, use_case)(category_id=42)


# Products


def test_a_new_product_is_priced_in_the_shop_currency_at_the_clock_time(
    app: App, books: int
) -> None:
    product = add(app, books, "  Dune ", "12.5", description="Spice", stock=3)

    assert product.name == "Dune"
    assert product.slug == "dune"
    assert product.price == Money(Decimal("12.50"), "USD")
    assert (product.category_id, product.stock, product.in_stock) == (books, 3, True)
    assert product.created_at == product.updated_at == START
    assert app.get_product(product_id=product.id) == product


def test_the_currency_comes_from_the_settings() -> None:
    with App.in_memory(password_hasher="plain", currency="EUR") as shop:
        category = shop.create_category(name="Books").category.id

        assert add(shop, category, "Dune").price.currency == "EUR"


def test_a_product_without_stock_is_untracked_and_always_in_stock(app: App, books: int) -> None:
    product = add(app, books, "Dune")

    assert product.stock is None
    assert product.in_stock is True


def test_a_product_with_no_units_left_is_out_of_stock(app: App, books: int) -> None:
    assert add(app, books, "Dune", stock=0).in_stock is False


@pytest.mark.parametrize(("fields", "at_fault"), [
    ({"name": "", "price": "1"}, {"name"}),
    ({"name": "x" * 256, "price": "1"}, {"name"}),
    ({"name": "Dune", "price": "-0.01"}, {"price"}),
    ({"name": "Dune", "price": "1.001"}, {"price"}),
    ({"name": "Dune", "price": "100000000.00"}, {"price"}),
    ({"name": "Dune", "price": "1", "stock": -1}, {"stock"}),
    ({"name": " ", "price": "-1", "stock": -1}, {"name", "price", "stock"}),
])
def test_a_product_breaking_a_rule_is_refused_naming_every_field_at_fault(
    app: App, books: int, fields: dict[str, Any], at_fault: set[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add(app, books, **fields)

    assert set(caught.value.errors) == at_fault
    assert listed(app) == []


def test_a_product_in_an_unknown_category_is_refused(app: App) -> None:
    with pytest.raises(ValidationFailed) as caught:
        add(app, 99, "Dune")

    assert list(caught.value.errors) == ["category"]


def test_products_with_names_that_slug_alike_get_numbered_slugs(app: App, books: int) -> None:
    assert [add(app, books, n).slug for n in ("Dune", "DUNE", "dune!")] == [
        "dune", "dune-2", "dune-3"]


def test_updating_changes_only_the_given_fields_and_the_update_time(
    app: App, books: int, clock: FixedClock
) -> None:
    product = add(app, books, "Dune", "12.50", description="Spice", stock=3)
    clock.advance(minutes=5)

    changed = app.update_product(product_id=product.id, price=Decimal("9.99"))

    assert changed.price == Money(Decimal("9.99"), "USD")
    assert (changed.name, changed.description, changed.stock) == ("Dune", "Spice", 3)
    assert changed.created_at == START
    assert changed.updated_at == clock.now()
    assert app.get_product(product_id=product.id) == changed


def test_updating_stock_to_none_untracks_it(app: App, books: int) -> None:
    product = add(app, books, "Dune", stock=0)

    changed = app.update_product(product_id=product.id, stock=None)

    assert (changed.stock, changed.in_stock) == (None, True)


def test_renaming_a_product_keeps_its_own_slug_free(app: App, books: int) -> None:
    product = add(app, books, "Dune")

    assert app.update_product(product_id=product.id, name="Dune!").slug == "dune"
    assert app.update_product(product_id=product.id, name="Emma").slug == "emma"


def test_moving_a_product_to_an_unknown_category_is_refused(app: App, books: int) -> None:
    product = add(app, books, "Dune")

    with pytest.raises(ValidationFailed):
        app.update_product(product_id=product.id, category_id=99)

    assert app.get_product(product_id=product.id).category_id == books


def test_a_refused_update_changes_nothing(app: App, books: int) -> None:
    product = add(app, books, "Dune", stock=2)

    with pytest.raises(ValidationFailed):
        app.update_product(product_id=product.id, name="Emma", stock=-1)

    assert app.get_product(product_id=product.id) == product


def test_a_deleted_product_is_gone(app: App, books: int) -> None:
    product = add(app, books, "Dune")

    app.delete_product(product_id=product.id)

    with pytest.raises(NotFound):
        app.get_product(product_id=product.id)
    assert app.get_category(category_id=books).product_count == 0


@pytest.mark.parametrize("use_case", ["get_product", "delete_product", "update_product"])
def test_an_unknown_product_is_not_found(app: App, use_case: str) -> None:
    with pytest.raises(NotFound):
        getattr(app, use_case)(product_id=42)


# Listing products


@pytest.fixture
def shelf(app: App, books: int, clock: FixedClock) -> dict[str, int]:
    """Charlie (books, 10.00, 3 left), Alpha (toys, 15.00, untracked), Bravo (books, 5.00, 0)."""
    toys = app.create_category(name="Toys").category.id
    for category, name, price, stock in ((books, "Charlie", "10.00", 3),
                                         (toys, "Alpha", "15.00", None),
                                         (books, "Bravo", "5.00", 0)):
        add(app, category, name, price, stock=stock)
        clock.advance(seconds=1)
    return {"books": books, "toys": toys}


def test_products_list_by_id_without_an_ordering(app: App, shelf: dict[str, int]) -> None:
    assert listed(app) == ["Charlie", "Alpha", "Bravo"]


@pytest.mark.parametrize(("ordering", "expected"), [
    ("price", ["Bravo", "Charlie", "Alpha"]),
    ("-price", ["Alpha", "Charlie", "Bravo"]),
    ("name", ["Alpha", "Bravo", "Charlie"]),
    ("-name", ["Charlie", "Bravo", "Alpha"]),
    ("created_at", ["Charlie", "Alpha", "Bravo"]),
    ("-created_at", ["Bravo", "Alpha", "Charlie"]),
])
def test_products_order_by_each_allowed_field(
    app: App, shelf: dict[str, int], ordering: str, expected: list[str]
) -> None:
    assert listed(app, ordering=ordering) == expected


def test_an_unknown_ordering_is_refused(app: App, shelf: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        listed(app, ordering="stock")

    assert list(caught.value.errors) == ["ordering"]


def test_products_filter_by_category(app: App, shelf: dict[str, int]) -> None:
    assert listed(app, category_id=shelf["toys"]) == ["Alpha"]


def test_filtering_by_an_unknown_category_is_refused(app: App, shelf: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed) as caught:
        listed(app, category_id=99)

    assert list(caught.value.errors) == ["category"]


def test_price_bounds_are_inclusive(app: App, shelf: dict[str, int]) -> None:
    ten = Decimal("10.00")

    assert listed(app, min_price=ten) == ["Charlie", "Alpha"]
    assert listed(app, max_price=ten) == ["Charlie", "Bravo"]
    assert listed(app, min_price=ten, max_price=ten) == ["Charlie"]


def test_a_minimum_price_above_the_maximum_is_refused(app: App, shelf: dict[str, int]) -> None:
    with pytest.raises(ValidationFailed):
        listed(app, min_price=Decimal("10"), max_price=Decimal("5"))


def test_untracked_stock_counts_as_in_stock(app: App, shelf: dict[str, int]) -> None:
    assert listed(app, in_stock=True) == ["Charlie", "Alpha"]
    assert listed(app, in_stock=False) == ["Bravo"]


def test_a_page_holds_its_share_and_counts_them_all(app: App, shelf: dict[str, int]) -> None:
    page = app.list_products(query=ProductQuery(ordering="name"),
                             page=PageRequest(number=2, size=2))

    assert [p.name for p in page.items] == ["Charlie"]
    assert (page.total, page.pages, page.has_next, page.has_previous) == (3, 2, False, True)


def test_a_page_past_the_end_is_not_found(app: App, shelf: dict[str, int]) -> None:
    with pytest.raises(NotFound):
        listed(app, page=PageRequest(number=3, size=2))
