"""Demo products in bulk: one transaction with the index upkeep at its end, on every store."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import IntegrityError

from shopcore.adapters.clock import SystemClock
from shopcore.adapters.sqlalchemy.engine import make_engine
from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from shopcore.application.demo_data import AddDemoProducts, DemoProduct
from shopcore.domain.catalog import Category, ProductQuery
from shopcore.domain.pagination import PageRequest
from shopcore.ports.unit_of_work import UnitOfWork
from tests.helpers import UowFactory, truncate_postgres

SEARCH_INDEXES = {"ix_products_search_vector", "ix_products_name_trgm"}


def a_category(new_uow: UowFactory) -> int:
    with new_uow() as uow:
        category = Category("Lamps", "lamps")
        uow.categories.add(category)
        uow.commit()
    assert category.id is not None
    return category.id


def lamps(category_id: int, count: int) -> list[DemoProduct]:
    return [DemoProduct("Desk lamp", f"Lamp number {n}", Decimal("9.50"), 3, category_id)
            for n in range(count)]


def gin_indexes(url: str) -> set[str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = {name for (name,) in connection.execute(text(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'products'"
            " AND indexdef LIKE '% USING gin %'"))}
    engine.dispose()
    return found


@pytest.mark.parametrize("bulk_from", [3, 100])
def test_demo_products_get_unique_slugs_and_one_creation_event_each_in_bulk_or_in_batches(
    new_uow: UowFactory, bulk_from: int,
) -> None:
    category_id = a_category(new_uow)
    add = AddDemoProducts(new_uow, SystemClock(), "USD", bulk_from=bulk_from)
    seen: list[int] = []

    assert add(products=lamps(category_id, 5), progress=seen.append) == 5

    uow: UnitOfWork
    with new_uow() as uow:
        items, total = uow.products.list(ProductQuery(), PageRequest(1, 10))
        messages = uow.outbox.claim(100)
    assert total == 5 and sum(seen) == 5
    assert sorted(p.slug for p in items) == ["desk-lamp", *(f"desk-lamp-{n}" for n in range(2, 6))]
    created = [m.envelope for m in messages if m.envelope.payload.get("change") == "created"]
    assert sorted(e.key for e in created) == sorted(str(p.id) for p in items)


def test_a_bulk_load_on_postgresql_builds_the_search_indexes_again_and_finds_its_products(
    postgres_url: str,
) -> None:
    from shopcore.adapters.sqlsearch.postgres import PostgresSearch
    from shopcore.ports.search import SearchQuery

    truncate_postgres(postgres_url)
    engine = make_engine(postgres_url)
    category_id = a_category(lambda: SqlUnitOfWork(engine))

    AddDemoProducts(lambda: SqlUnitOfWork(engine), SystemClock(), "USD", bulk_from=2)(
        products=lamps(category_id, 4))

    assert gin_indexes(postgres_url) == SEARCH_INDEXES
    assert PostgresSearch(engine).search(SearchQuery(text="lamp")).total == 4
    engine.dispose()


def test_a_bulk_load_that_fails_on_postgresql_adds_nothing_and_keeps_the_search_indexes(
    postgres_url: str,
) -> None:
    truncate_postgres(postgres_url)
    engine = make_engine(postgres_url)
    category_id = a_category(lambda: SqlUnitOfWork(engine))
    unknown_category = category_id + 1000

    with pytest.raises(IntegrityError):
        AddDemoProducts(lambda: SqlUnitOfWork(engine), SystemClock(), "USD", bulk_from=2)(
            products=lamps(category_id, 3) + lamps(unknown_category, 1))

    assert gin_indexes(postgres_url) == SEARCH_INDEXES
    with SqlUnitOfWork(engine) as uow:
        assert uow.products.count() == 0
    engine.dispose()


def test_a_second_bulk_load_takes_slugs_the_first_left_free(new_uow: UowFactory) -> None:
    category_id = a_category(new_uow)
    add = AddDemoProducts(new_uow, SystemClock(), "USD", bulk_from=2)
    add(products=lamps(category_id, 2))

    add(products=lamps(category_id, 2))

    with new_uow() as uow:
        items, _ = uow.products.list(ProductQuery(), PageRequest(1, 10))
    assert sorted(p.slug for p in items) == ["desk-lamp", "desk-lamp-2", "desk-lamp-3",
                                             "desk-lamp-4"]
