"""Categories and products, in memory."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from shopcore.adapters.memory.base import Track, clone, like
from shopcore.adapters.memory.store import Tables
from shopcore.domain.catalog import Category, Product, ProductQuery
from shopcore.domain.errors import Conflict
from shopcore.domain.pagination import PageRequest


class MemoryCategoryRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def add(self, category: Category) -> None:
        if self.by_name(category.name) is not None:
            raise Conflict("A category with this name already exists.")
        category.id = self.t.next_id("categories")
        self.t.categories[category.id] = clone(category)

    def get(self, category_id: int) -> Category | None:
        category = self.t.categories.get(category_id)
        return clone(category) if category else None

    def by_name(self, name: str) -> Category | None:
        folded = name.casefold()
        return next((clone(c) for c in self.t.categories.values()
                     if c.name.casefold() == folded), None)

    def slugs_like(self, base: str) -> set[str]:
        return like((c.slug for c in self.t.categories.values()), base)

    def save(self, category: Category) -> None:
        assert category.id is not None
        self.t.categories[category.id] = clone(category)

    def delete(self, category: Category) -> None:
        assert category.id is not None
        if any(p.category_id == category.id for p in self.t.products.values()):
            raise Conflict("This category still has products.")
        self.t.categories.pop(category.id, None)

    def list(self, page: PageRequest) -> tuple[Sequence[Category], int]:
        rows = sorted(self.t.categories.values(), key=lambda c: c.id or 0)
        chosen = rows[page.offset:page.offset + page.size]
        return [clone(c) for c in chosen], len(rows)

    def all(self) -> Sequence[Category]:
        return [clone(c) for c in sorted(self.t.categories.values(), key=lambda c: c.id or 0)]


def _sort_key(ordering: str | None) -> tuple[Any, bool]:
    field = (ordering or "id").lstrip("-")
    reverse = bool(ordering and ordering.startswith("-"))

    def key(p: Product) -> tuple[Any, int]:
        value: Any = p.price.amount if field == "price" else getattr(p, field)
        return value, p.id or 0
    return key, reverse


class MemoryProductRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def add(self, product: Product) -> None:
        if product.category_id not in self.t.categories:
            raise Conflict("Unknown category.")
        product.id = self.t.next_id("products")
        self.track(product, new=True)
        self.t.products[product.id] = clone(product)

    def add_many(self, products: Iterable[Product]) -> int:
        n = 0
        for product in products:
            self.add(product)
            n += 1
        return n

    def bulk_loading(self) -> AbstractContextManager[None]:
        return nullcontext()

    def get(self, product_id: int) -> Product | None:
        product = self.t.products.get(product_id)
        return clone(product) if product else None

    def slugs_like(self, base: str) -> set[str]:
        return like((p.slug for p in self.t.products.values()), base)

    def save(self, product: Product) -> None:
        assert product.id is not None
        self.track(product)
        self.t.products[product.id] = clone(product)

    def delete(self, product: Product) -> None:
        assert product.id is not None
        self.track(product)
        self.t.products.pop(product.id, None)

    def list(self, query: ProductQuery, page: PageRequest, *,
             total: int | None = None) -> tuple[Sequence[Product], int]:
        rows = [p for p in self.t.products.values() if _matches(p, query)]
        key, reverse = _sort_key(query.ordering)
        rows.sort(key=key, reverse=reverse)
        chosen = rows[page.offset:page.offset + page.size]
        return [clone(p) for p in chosen], len(rows) if total is None else total

    def count_by_category(self, category_ids: Sequence[int]) -> dict[int, int]:
        wanted = set(category_ids)
        counts = Counter(p.category_id for p in self.t.products.values()
                         if p.category_id in wanted)
        return dict(counts)

    def count(self) -> int:
        return len(self.t.products)

    def get_many(self, product_ids: Sequence[int], *,
                 for_update: bool = False) -> dict[int, Product]:
        return {i: clone(self.t.products[i]) for i in product_ids if i in self.t.products}

    def reserve(self, product_id: int, quantity: int) -> bool:
        product = self.t.products.get(product_id)
        if product is None or product.stock is None or product.stock < quantity:
            return False
        product.stock -= quantity
        return True

    def reserve_many(self, quantities: Mapping[int, int]) -> set[int]:
        return {p for p, quantity in quantities.items() if not self.reserve(p, quantity)}

    def release(self, product_id: int, quantity: int) -> None:
        product = self.t.products.get(product_id)
        if product is not None and product.stock is not None:
            product.stock += quantity


def _matches(p: Product, q: ProductQuery) -> bool:
    return ((q.category_id is None or p.category_id == q.category_id)
            and (q.min_price is None or p.price.amount >= q.min_price)
            and (q.max_price is None or p.price.amount <= q.max_price)
            and (q.in_stock is None or p.in_stock == q.in_stock))
