"""SQL statements per catalog read on PostgreSQL: a fixed, small number, with no N+1.

Counted as issue 12 counts them, with a `before_cursor_execute` listener on the app's
engine, once a first request has warmed the worker. The bounds are ceilings that hold
today; a cache may lower the counts, never raise them. `make bench` prints the same
figures under load, from pg_stat_statements.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import event

from shopcore.application.demo_data import DemoCategory, DemoProduct
from tests.helpers import container_of, shop_of

PRODUCTS = 4_100  # 205 pages of 20; page 400 of 10 a page exists
KINDS = ("Laptop", "Keyboard", "Lamp", "Kettle")

pytestmark = pytest.mark.parametrize("database_url", ["postgres"], indirect=True)


@pytest.fixture
def catalog(app: Any) -> list[int]:
    """Four categories of 1,025 products each; their ids."""
    shop = shop_of(app)
    categories = shop.add_demo_categories(
        candidates=[DemoCategory(kind + "s", "") for kind in KINDS], count=len(KINDS))
    shop.add_demo_products(products=(
        DemoProduct(f"{KINDS[n % 4]} {n}", f"A {KINDS[n % 4].lower()} numbered {n}",
                    Decimal(n % 500) + Decimal("0.99"), 10, categories[n % 4])
        for n in range(PRODUCTS)))
    return categories


@pytest.fixture
def statements(app: Any) -> Iterator[list[str]]:
    """Every statement the app's engine runs from now on."""
    engine = container_of(app).gateways.engine()
    seen: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


def cost(client: Any, statements: list[str], path: str) -> int:
    """Statements of one GET of `path`, after a first GET of it warmed the worker."""
    assert client.get(path).status_code == 200
    statements.clear()
    answer = client.get(path)
    assert answer.status_code == 200, answer.get_json()
    return len(statements)


def test_a_product_list_page_costs_at_most_two_statements_and_a_deep_page_no_more(
    client: Any, catalog: list[int], statements: list[str],
) -> None:
    first = cost(client, statements, "/api/products/?page=1")
    deep = cost(client, statements, "/api/products/?page=400&page_size=10")

    assert first <= 2
    assert deep <= first


def test_a_product_list_costs_the_same_statements_for_5_or_100_products_a_page(
    client: Any, catalog: list[int], statements: list[str],
) -> None:
    assert cost(client, statements, "/api/products/?page_size=100") == cost(
        client, statements, "/api/products/?page_size=5")


def test_a_product_detail_costs_at_most_one_statement(
    client: Any, catalog: list[int], statements: list[str],
) -> None:
    product_id = client.get("/api/products/?page=7").get_json()["results"][0]["id"]

    assert cost(client, statements, f"/api/products/{product_id}/") <= 1


def test_a_category_filter_costs_at_most_three_statements_whatever_the_page(
    client: Any, catalog: list[int], statements: list[str],
) -> None:
    category = catalog[2]
    first = cost(client, statements, f"/api/products/?category={category}")
    later = cost(client, statements, f"/api/products/?category={category}&page=40&page_size=10")

    assert first <= 3
    assert later <= first


def test_a_search_costs_a_fixed_number_of_statements_whatever_the_page_size(
    client: Any, catalog: list[int], statements: list[str],
) -> None:
    small = cost(client, statements, "/api/products/search/?q=laptop&page_size=5")
    large = cost(client, statements, "/api/products/search/?q=laptop&page_size=100")
    two_words = cost(client, statements, "/api/products/search/?q=laptop%20numbered")

    assert large == small
    assert max(small, two_words) <= 6
