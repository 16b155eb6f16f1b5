"""Product search on SQLite FTS5 and PostgreSQL full text: ranked, forgiving, filtered, fresh."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from shopcore.domain.catalog import Category, Product, ProductChanges
from shopcore.domain.errors import SearchUnavailable
from shopcore.domain.money import Money
from shopcore.ports.search import ProductSearch, SearchQuery
from tests.helpers import UowFactory
from tests.integration.sql_search_engines import SQL_ENGINES

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CATALOG = [  # name, description, price, category (0: computers, 1: kitchen), stock
    ("Laptop", "A light machine for work and play", "999.00", 0, 5),
    ("Laptop Stand", "Raises your laptop to eye level", "25.00", 0, 0),
    ("Gaming Laptop Backpack", "Carries a laptop and a mouse", "49.99", 0, None),
    ("Mechanical Keyboard", "Clicky keys", "120.00", 0, 3),
    ("Crème Brûlée Torch", "Caramelises sugar", "30.00", 1, 2),
    ("Café Press", "Brews coffee for four", "24.99", 1, 0),
    ("Desk Lamp", "Lights the desk, not the laptop", "50.00", 0, 8),
]


@dataclass
class Shop:
    new_uow: UowFactory
    search: ProductSearch
    ids: dict[str, int]
    categories: dict[int, str]

    def find(self, text: str, **filters: object) -> list[str]:
        names = {i: name for name, i in self.ids.items()}
        hits = self.search.search(SearchQuery(text, **filters)).hits  # type: ignore[arg-type]
        return [names.get(h.product_id, str(h.product_id)) for h in hits]

    def change(self, product_name: str, **fields: object) -> None:
        with self.new_uow() as uow:
            product = uow.products.get(self.ids[product_name])
            assert product
            product.update(ProductChanges(**fields), now=NOW,  # type: ignore[arg-type]
                           slug_for=lambda new: new.lower().replace(" ", "-"))
            uow.products.save(product)
            uow.commit()
        self.search.index([product], self.categories)


Row = tuple[str, str, str, int | None]


def add_products(new_uow: UowFactory, category_id: int, rows: list[Row]) -> list[Product]:
    products = [Product(name=name, slug=f"{name.lower().replace(' ', '-')}-{i}",
                        description=description, price=Money(Decimal(price), "USD"),
                        category_id=category_id, stock=stock, created_at=NOW, updated_at=NOW)
                for i, (name, description, price, stock) in enumerate(rows)]
    with new_uow() as uow:
        uow.products.add_many(products)
        uow.commit()
    return products


@pytest.fixture(params=list(SQL_ENGINES))
def shop(request: pytest.FixtureRequest) -> Shop:
    new_uow, search = SQL_ENGINES[request.param](request)
    with new_uow() as uow:
        kinds = [Category("Computers", "computers"), Category("Kitchen", "kitchen")]
        for category in kinds:
            uow.categories.add(category)
        uow.commit()
    ids = [c.id for c in kinds if c.id is not None]
    products = []
    for position, category_id in enumerate(ids):
        products += add_products(new_uow, category_id, [
            (name, description, price, stock)
            for name, description, price, kind, stock in CATALOG if kind == position])
    names = {c.id: c.name for c in kinds if c.id is not None}
    search.index(products, names)
    return Shop(new_uow, search, {p.name: p.id for p in products if p.id}, names)


def test_the_exact_name_ranks_first(shop: Shop) -> None:
    assert shop.find("Laptop")[0] == "Laptop"
    assert shop.find("laptop stand")[0] == "Laptop Stand"


@pytest.mark.parametrize("typo", ["Laptp", "Lapttop", "Laptip", "Lpatop", "Lapotp"])
def test_a_one_letter_typo_of_each_kind_still_finds_the_product(shop: Shop, typo: str) -> None:
    assert shop.find(typo)[0] == "Laptop"


def test_a_prefix_of_three_letters_or_more_finds_the_product(shop: Shop) -> None:
    assert "Mechanical Keyboard" in shop.find("Mec")
    assert shop.find("mechan")[0] == "Mechanical Keyboard"
    assert shop.find("keyb") == ["Mechanical Keyboard"]


def test_several_words_rank_the_product_holding_all_of_them_first(shop: Shop) -> None:
    assert shop.find("laptop backpack")[0] == "Gaming Laptop Backpack"
    assert shop.find("backpack laptop")[0] == "Gaming Laptop Backpack"
    assert set(shop.find("keyboard torch")) == {"Mechanical Keyboard", "Crème Brûlée Torch"}


@pytest.mark.parametrize("text", ["creme brulee", "CRÈME BRÛLÉE", "Creme", "brûlee torch"])
def test_accents_and_case_do_not_matter(shop: Shop, text: str) -> None:
    assert shop.find(text)[0] == "Crème Brûlée Torch"
    assert shop.find("CAFE")[0] == shop.find("café")[0] == "Café Press"


def test_each_filter_and_every_combination_keeps_exactly_the_matching_products(
    shop: Shop,
) -> None:
    computers, kitchen = shop.categories
    categories = {"Computers": computers, "Kitchen": kitchen}
    rows = {name: (Decimal(price), categories[("Computers", "Kitchen")[kind]], stock)
            for name, _, price, kind, stock in CATALOG}
    for category, low, high, in_stock in itertools.product(
            (None, computers, kitchen), (None, Decimal("25.00"), Decimal("24.995")),
            (None, Decimal("50.00"), Decimal("999")), (None, True, False)):
        found = shop.find("laptop lamp torch press keyboard", category_id=category,
                          min_price=low, max_price=high, in_stock=in_stock)
        expected = {name for name, (price, kind, stock) in rows.items()
                    if (category is None or kind == category)
                    and (low is None or price >= low) and (high is None or price <= high)
                    and (in_stock is None or in_stock == (stock is None or stock > 0))}
        assert set(found) == expected, (category, low, high, in_stock)


def test_pages_are_stable_and_together_hold_every_match_once(shop: Shop) -> None:
    add_products(shop.new_uow, next(iter(shop.categories)),
                 [(f"Widget {n}", "widget" * (n % 3 + 1), "10.00", None) for n in range(23)])
    pages = [shop.search.search(SearchQuery("widget", page=n, size=5)) for n in range(1, 7)]
    ids = [h.product_id for page in pages for h in page.hits]
    assert len(ids) == len(set(ids)) == pages[0].total == 23
    assert pages[5].hits == []
    again = [shop.search.search(SearchQuery("widget", page=n, size=5)).hits for n in (1, 2)]
    assert again == [pages[0].hits, pages[1].hits]
    scores = [(-h.score, h.product_id) for page in pages for h in page.hits]
    assert scores == sorted(scores)


def test_facets_count_every_match_and_add_up_to_the_total(shop: Shop) -> None:
    result = shop.search.search(SearchQuery("laptop torch press", size=1))
    assert len(result.hits) == 1
    assert sum(c.count for c in result.categories) == result.total == 6
    assert sum(p.count for p in result.price_ranges) == result.total
    assert {(c.name, c.count) for c in result.categories} == {("Computers", 4), ("Kitchen", 2)}
    buckets = {(p.min, p.max): p.count for p in result.price_ranges}
    assert buckets[(Decimal(0), Decimal(25))] == 1
    assert buckets[(Decimal(25), Decimal(50))] == 3
    assert (Decimal(1000), None) not in buckets  # an empty range is not listed


def test_an_update_a_rename_out_of_stock_and_a_delete_show_at_once(shop: Shop) -> None:
    shop.change("Laptop", price=Decimal("10.00"))
    assert shop.find("laptop", max_price=Decimal("10"))[0] == "Laptop"
    shop.change("Desk Lamp", name="Reading Light")
    assert "Desk Lamp" not in shop.find("lamp") and shop.find("reading") == ["Desk Lamp"]
    shop.change("Mechanical Keyboard", stock=0)
    assert shop.find("keyboard", in_stock=True) == []
    with shop.new_uow() as uow:
        product = uow.products.get(shop.ids["Laptop"])
        assert product
        product.delete()
        uow.products.delete(product)
        uow.commit()
    shop.search.remove([shop.ids["Laptop"]])
    assert "Laptop" not in shop.find("laptop")
    assert shop.search.drift([]).extra and shop.search.rebuild([], shop.categories) == 6


ODD = ["' OR 1=1 --", '"', "*", "NEAR(", "-", 'laptop"', '"laptop', "lap*", "-laptop",
       "NEAR(laptop stand)", "laptop AND", "OR", "NOT laptop", "name:laptop", "^laptop",
       "laptop:*", "la & | ! ()", "\\", "%_", "😀", "\u0000", "ﬁ Ω ß", "e\u0301", "مرحبا",
       "中文字", "a" * 200, "x " * 100, "laptop\tstand\n", "'; DROP TABLE products; --"]


@pytest.mark.parametrize("text", ODD)
def test_sql_ish_fts_syntax_and_odd_unicode_queries_answer_sanely(shop: Shop,
                                                                  text: str) -> None:
    result = shop.search.search(SearchQuery(text))
    assert {h.product_id for h in result.hits} <= set(shop.ids.values())
    assert sum(c.count for c in result.categories) == result.total
    if "laptop" in text:
        assert "Laptop" in shop.find(text)
    assert len(shop.find("laptop")) == 4


def test_a_price_bound_far_past_any_price_is_no_error(shop: Shop) -> None:
    assert shop.find("laptop", max_price=Decimal("1e30"))[0] == "Laptop"
    assert shop.find("laptop", min_price=Decimal("1e30")) == []


def test_a_query_without_words_answers_no_hits(shop: Shop) -> None:
    result = shop.search.search(SearchQuery("*** -- \"\" ()"))
    assert (result.hits, result.total, result.categories) == ([], 0, [])


def test_the_index_holds_the_catalog_without_drift(shop: Shop) -> None:
    with shop.new_uow() as uow:
        products = list(uow.products.get_many(list(shop.ids.values())).values())
    assert shop.search.drift(products).clean
    assert shop.search.drift(products[1:]).extra == [products[0].id]
    assert shop.search.check() == "up"


def test_a_database_without_the_search_schema_is_unavailable(tmp_path: Path) -> None:
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlsearch.sqlite import SqliteSearch

    engine = make_engine(f"sqlite:///{tmp_path / 'bare.sqlite3'}")
    search = SqliteSearch(engine)
    with pytest.raises(SearchUnavailable):
        search.search(SearchQuery("laptop"))
    assert search.check() == "down"
    engine.dispose()
