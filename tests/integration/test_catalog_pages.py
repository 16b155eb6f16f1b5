"""Deep pages: every page of every ordering and filter, put together, is the whole list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from shopcore.domain.catalog import PRODUCT_ORDERINGS, Category, Product, ProductQuery
from shopcore.domain.money import Money
from shopcore.domain.pagination import PageRequest
from tests.helpers import UowFactory

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PRICES = ["5.00", "20.00", "20.00", "1.00", "20.00", "7.50", "1.00", "99.00", "7.50", "3.00",
          "20.00"]


def seed(new_uow: UowFactory) -> int:
    """Eleven products in two categories, with tied prices and out-of-order names and dates."""
    with new_uow() as uow:
        books, games = Category("Books", "books"), Category("Games", "games")
        uow.categories.add(books)
        uow.categories.add(games)
        assert books.id and games.id
        uow.products.add_many([
            Product(name=f"{'KDHABGCJEFI'[i]} item", slug=f"item-{i}", description="",
                    price=Money(Decimal(price), "USD"),
                    category_id=books.id if i % 3 else games.id, stock=i % 4 or None,
                    created_at=NOW + timedelta(minutes=(i * 7) % 11),
                    updated_at=NOW)
            for i, price in enumerate(PRICES)])
        uow.commit()
        return books.id


@pytest.mark.parametrize("ordering", [None, *PRODUCT_ORDERINGS])
@pytest.mark.parametrize("filtered", [False, True])
def test_pages_of_any_size_follow_one_another_without_gaps_or_repeats(
        new_uow: UowFactory, ordering: str | None, filtered: bool) -> None:
    books = seed(new_uow)
    query = ProductQuery(ordering=ordering, category_id=books if filtered else None,
                         in_stock=True if filtered else None)
    with new_uow() as uow:
        whole, total = uow.products.list(query, PageRequest(number=1, size=100))
        assert total == len(whole) > 3
        for size in (1, 2, 3):
            pages = [uow.products.list(query, PageRequest(number=n, size=size))
                     for n in range(1, -(-total // size) + 1)]
            assert [p.id for items, _ in pages for p in items] == [p.id for p in whole]
            assert {counted for _, counted in pages} == {total}
            assert uow.products.list(query, PageRequest(number=2, size=size),
                                     total=999)[1] == 999
