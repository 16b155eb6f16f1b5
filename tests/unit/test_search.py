"""Search use cases on the in-memory shop: the query checked, the engine's order kept, fallback."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from decimal import Decimal

import pytest

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.adapters.memory.search import MemorySearch
from shopcore.application.demo_data import DemoCategory, DemoProduct
from shopcore.application.search import FallbackWarning, SearchProducts
from shopcore.application.search_index import DeferredIndexing, IndexProductChanges
from shopcore.application.viewer import Viewer
from shopcore.domain.catalog import Product, ProductQuery
from shopcore.domain.errors import SearchUnavailable, ValidationFailed
from shopcore.domain.pagination import PageRequest
from shopcore.ports.search import Drift, SearchHit, SearchQuery, SearchResult

EVERYTHING = ProductQuery()


class DownSearch:
    """An engine whose server cannot be reached."""

    name = "opensearch"
    follows_catalog = False

    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None:
        raise SearchUnavailable("connection refused")

    def remove(self, product_ids: Iterable[int]) -> None:
        raise SearchUnavailable("connection refused")

    def search(self, query: SearchQuery) -> SearchResult:
        raise SearchUnavailable("connection refused")

    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        raise SearchUnavailable("connection refused")

    def drift(self, products: Iterable[Product]) -> Drift:
        raise SearchUnavailable("connection refused")

    def check(self) -> str:
        return "down"


class FixedAnswer(MemorySearch):
    """An engine that answers the given ids, in the given order, whatever is asked."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__()
        self.ids = ids

    def search(self, query: SearchQuery) -> SearchResult:
        return SearchResult([SearchHit(i, 1.0 / (n + 1)) for n, i in enumerate(self.ids)],
                            len(self.ids))


@pytest.fixture
def shop() -> Iterator[App]:
    with App.in_memory(event_bus="inprocess", password_hasher="plain") as app:
        yield app


def add_products(shop: App, *names: str, stock: int | None = None) -> list[int]:
    category = shop.create_category(name="Computers").category
    assert category.id is not None
    ids = [shop.create_product(name=name, price=Decimal("10.00"), category_id=category.id,
                               stock=stock).id for name in names]
    shop.relay_outbox()
    return [i for i in ids if i is not None]


def found(shop: App, text: str, **filters: object) -> list[str]:
    page = shop.search_products(text=text, filters=ProductQuery(**filters),  # type: ignore[arg-type]
                                page=PageRequest())
    return [item.product.name for item in page.page.items]


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "x" * 201, " " + "y" * 201])
def test_a_query_blank_or_over_200_characters_is_refused_on_its_field(
    shop: App, text: str
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        shop.search_products(text=text, filters=EVERYTHING, page=PageRequest())
    assert list(caught.value.errors) == ["text"]  # the library's name; HTTP answers it as `q`


def test_a_query_of_200_characters_once_trimmed_is_searched(shop: App) -> None:
    result = shop.search_products(text=f"  {'x' * 200}  ", filters=EVERYTHING,
                                  page=PageRequest())
    assert result.page.total == 0


def test_an_upside_down_price_range_is_refused_like_the_product_list(shop: App) -> None:
    with pytest.raises(ValidationFailed):
        shop.search_products(text="laptop", filters=ProductQuery(
            min_price=Decimal("5"), max_price=Decimal("1")), page=PageRequest())


def test_the_products_come_in_the_engines_order_and_unknown_ids_are_skipped(shop: App) -> None:
    ids = add_products(shop, "Alpha", "Bravo", "Charlie")
    search = SearchProducts(shop.container.adapters.uow(), FixedAnswer([ids[2], 999, ids[0]]))
    page = search(text="anything", filters=EVERYTHING, page=PageRequest())
    assert [item.product.name for item in page.page.items] == ["Charlie", "Alpha"]
    assert page.page.items[0].score > page.page.items[1].score


def test_created_updated_and_deleted_products_show_once_the_events_are_relayed(
    shop: App,
) -> None:
    [laptop] = add_products(shop, "Laptop Pro 15")
    assert found(shop, "laptop") == ["Laptop Pro 15"]
    shop.update_product(product_id=laptop, name="Notebook Air")
    shop.relay_outbox()
    assert (found(shop, "laptop"), found(shop, "notebok")) == ([], ["Notebook Air"])
    shop.delete_product(product_id=laptop)
    shop.relay_outbox()
    assert found(shop, "notebook") == []


def test_stock_taken_by_checkout_and_given_back_by_cancel_moves_in_stock(shop: App) -> None:
    [lamp] = add_products(shop, "Desk lamp", stock=1)
    user = shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    assert user.id is not None
    shop.add_to_cart(user_id=user.id, product_id=lamp, quantity=1)
    order = shop.place_order(user_id=user.id)
    shop.relay_outbox()
    assert (found(shop, "lamp", in_stock=True), found(shop, "lamp", in_stock=False)) == (
        [], ["Desk lamp"])
    assert order.id is not None
    shop.cancel_order(order_id=order.id, viewer=Viewer(user.id))
    shop.relay_outbox()
    assert found(shop, "lamp", in_stock=True) == ["Desk lamp"]


def test_checkout_records_one_product_change_per_tracked_product_only(shop: App) -> None:
    [tracked] = add_products(shop, "Desk lamp", stock=3)
    category = shop.get_product(product_id=tracked).category_id
    untracked = shop.create_product(name="Ebook", price=Decimal("2"), category_id=category).id
    user = shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    assert user.id is not None and untracked is not None
    shop.relay_outbox()
    shop.add_to_cart(user_id=user.id, product_id=tracked, quantity=2)
    shop.add_to_cart(user_id=user.id, product_id=untracked, quantity=1)
    shop.place_order(user_id=user.id)
    with shop.container.adapters.uow() as uow:
        unsent = uow.outbox.claim(100)
    changes = [m.envelope.payload for m in unsent if m.envelope.type == "product.changed"]
    assert [(c["product_id"], c["stock"]) for c in changes] == [(tracked, 1)]


def test_expired_orders_give_their_stock_back_to_the_index(shop: App) -> None:
    [lamp] = add_products(shop, "Desk lamp", stock=1)
    user = shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    assert user.id is not None
    shop.add_to_cart(user_id=user.id, product_id=lamp, quantity=1)
    shop.place_order(user_id=user.id)
    shop.relay_outbox()
    assert found(shop, "lamp", in_stock=True) == []
    expire = shop.expire_orders
    expire.after = -expire.after  # every pending order counts as old
    assert expire() == 1
    shop.relay_outbox()
    assert found(shop, "lamp", in_stock=True) == ["Desk lamp"]


def test_a_down_engine_is_answered_by_the_fallback_with_one_warning_a_minute(
    shop: App, caplog: pytest.LogCaptureFixture,
) -> None:
    add_products(shop, "Laptop stand")
    fallback = MemorySearch()
    fallback.rebuild(shop.list_products(query=EVERYTHING, page=PageRequest()).items, {})
    clock = FixedClock()
    warn = FallbackWarning(clock)

    def ask() -> list[str]:
        search = SearchProducts(shop.container.adapters.uow(), DownSearch(), fallback, warn)
        page = search(text="stand", filters=EVERYTHING, page=PageRequest())
        return [item.product.name for item in page.page.items]

    with caplog.at_level(logging.WARNING, logger="shopcore.search"):
        assert ask() == ask() == ["Laptop stand"]
        clock.advance(seconds=59)
        ask()
        clock.advance(seconds=2)
        ask()
    warnings = [r.getMessage() for r in caplog.records if r.name == "shopcore.search"]
    assert len(warnings) == 2
    assert "opensearch is unavailable" in warnings[0] and "memory" in warnings[0]


def test_a_down_engine_without_a_fallback_says_search_is_unavailable(shop: App) -> None:
    search = SearchProducts(shop.container.adapters.uow(), DownSearch())
    with pytest.raises(SearchUnavailable):
        search(text="stand", filters=EVERYTHING, page=PageRequest())


def test_a_rebuild_reads_the_catalog_in_batches_and_reports_progress(shop: App) -> None:
    [category] = shop.add_demo_categories(candidates=[DemoCategory("Home", "")], count=1)
    shop.add_demo_products(products=[DemoProduct(f"Lamp {n}", "", Decimal("9"), 1, category)
                                     for n in range(250)])
    steps: list[int] = []
    assert shop.rebuild_search_index(progress=steps.append) == 250
    assert steps == [100, 100, 50]
    assert shop.check_search_index().clean


def test_the_check_names_products_missing_from_the_index(shop: App) -> None:
    ids = add_products(shop, "Alpha", "Bravo")
    assert shop.check_search_index().clean
    shop.product_search.remove([ids[1]])
    assert shop.check_search_index() == Drift(missing=[ids[1]], stale=[], extra=[])


def test_deferred_indexing_keeps_what_it_could_not_index_for_the_next_flush(shop: App) -> None:
    [lamp] = add_products(shop, "Desk lamp")
    index = IndexProductChanges(shop.container.adapters.uow, DownSearch())
    deferred = DeferredIndexing(index)
    deferred({"type": "product.changed", "payload": {"product_id": lamp}})
    deferred({"type": "cart.updated", "payload": {"user_id": 1}})
    with pytest.raises(SearchUnavailable):
        deferred.flush()
    assert deferred.pending == {lamp}
    deferred.index = IndexProductChanges(shop.container.adapters.uow, MemorySearch())
    deferred.flush()
    assert deferred.pending == set()
    assert deferred.index.search.drift(shop.list_products(query=EVERYTHING,
                                                          page=PageRequest()).items).clean
