"""A small catalog with realistic names, stored through the unit of work and indexed."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal

from shopcore.domain.catalog import Category, Product
from shopcore.domain.money import Money
from shopcore.domain.text import slugify
from shopcore.ports.search import ProductSearch, SearchHit, SearchQuery
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LAMPS = 23

# name, description, price, category, stock (None: untracked)
PRODUCTS: list[tuple[str, str, str, str, int | None]] = [
    ("Laptop Pro 15", "A 15-inch notebook for professionals", "1499.00", "Computers", 5),
    ("Gaming laptop", "Fast graphics for games", "1199.00", "Computers", 0),
    ("Laptop stand", "Aluminium riser for any notebook", "39.90", "Accessories", 50),
    ("Mechanical keyboard", "Tactile switches, full size", "89.00", "Accessories", 12),
    ("Wireless mouse", "Ergonomic, quiet clicks", "24.50", "Accessories", None),
    ("Noise cancelling headphones", "Over-ear, wireless, long battery", "249.00", "Audio", 3),
    ("Bluetooth speaker", "Portable and waterproof", "59.00", "Audio", 0),
    ("Café espresso machine", "Crème on every cup", "329.00", "Kitchen", 2),
    ("Coffee grinder", "Burr mill for beans", "79.00", "Kitchen", 8),
    ("USB-C hub", "Seven ports for a notebook", "45.00", "Accessories", 20),
] + [(f"Desk lamp {n}", "Warm light", f"{10 + n}.00", "Home", n % 3) for n in range(LAMPS)]


@dataclass
class Catalog:
    """The stored catalog: ids by product name and category name, and the engine over it."""

    new_uow: UowFactory
    search: ProductSearch
    ids: dict[str, int]
    categories: dict[str, int]

    @property
    def names(self) -> dict[int, str]:
        return {i: n for n, i in self.categories.items()}

    def products(self) -> list[Product]:
        with self.new_uow() as uow:
            return list(uow.products.get_many(sorted(self.ids.values())).values())

    def hits(self, query: SearchQuery) -> list[SearchHit]:
        """Every hit for `query`, all pages read."""
        found: list[SearchHit] = []
        page = 1
        while True:
            result = self.search.search(replace(query, page=page, size=100))
            found += result.hits
            if len(found) >= result.total or not result.hits:
                return found
            page += 1

    def found(self, text: str) -> list[int]:
        return [hit.product_id for hit in self.hits(SearchQuery(text))]

    def change(self, product_name: str, /, **fields: object) -> Product:
        """Set fields of a stored product, commit, and index it again."""
        with self.new_uow() as uow:
            product = uow.products.get(self.ids[product_name])
            assert product is not None
            for field, value in fields.items():
                setattr(product, field, value)
            uow.products.save(product)
            uow.commit()
        self.search.index([product], self.names)
        return product

    def delete(self, name: str) -> None:
        with self.new_uow() as uow:
            product = uow.products.get(self.ids[name])
            assert product is not None
            uow.products.delete(product)
            uow.commit()
        self.search.remove([self.ids[name]])


def stored_catalog(new_uow: UowFactory, search: ProductSearch) -> Catalog:
    with new_uow() as uow:
        categories = {}
        for name in dict.fromkeys(row[3] for row in PRODUCTS):
            category = Category(name=name, slug=slugify(name))
            uow.categories.add(category)
            assert category.id is not None
            categories[name] = category.id
        products = [Product(name=name, slug=slugify(name), description=description,
                            price=Money(Decimal(price), "USD"), category_id=categories[cat],
                            stock=stock, created_at=NOW, updated_at=NOW)
                    for name, description, price, cat, stock in PRODUCTS]
        uow.products.add_many(products)
        uow.commit()
    ids = {p.name: p.id for p in products if p.id is not None}
    catalog = Catalog(new_uow, search, ids, categories)
    search.index(catalog.products(), catalog.names)
    return catalog
