"""Products: browse with filters, read, create, change, delete."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopcore.domain.catalog import (
    UNSET,
    Product,
    ProductChanges,
    ProductQuery,
    UnknownCategory,
)
from shopcore.domain.errors import NotFound
from shopcore.domain.pagination import Page, PageRequest
from shopcore.domain.text import slugify, unique_slug
from shopcore.ports.cart_cache import CartCache
from shopcore.ports.catalog_cache import CatalogCache
from shopcore.ports.clock import Clock
from shopcore.ports.unit_of_work import UnitOfWork


def load_product(uow: UnitOfWork, product_id: int) -> Product:
    product = uow.products.get(product_id)
    if product is None:
        raise NotFound("Product not found.")
    return product


def ensure_category(uow: UnitOfWork, category_id: int, field: str = "category") -> None:
    if uow.categories.get(category_id) is None:
        raise UnknownCategory(field, category_id)


def new_slug(uow: UnitOfWork, name: str, keep: str | None = None) -> str:
    base = slugify(name)
    return unique_slug(base, uow.products.slugs_like(base) - {keep or ""})


class ListProducts:
    """A filtered, ordered page of products; the count of matches cached per filter."""

    def __init__(self, uow: UnitOfWork, cache: CatalogCache | None = None) -> None:
        self.uow, self.cache = uow, cache

    def __call__(self, *, query: ProductQuery, page: PageRequest) -> Page[Product]:
        query.check()
        key = (f"count:{query.category_id}:{query.min_price}:{query.max_price}:"
               f"{query.in_stock}")
        known = self.cache.get(key) if self.cache is not None else None
        with self.uow:
            if query.category_id is not None:
                ensure_category(self.uow, query.category_id)
            total = int(known.value) if known is not None and known.value else None
            items, counted = self.uow.products.list(query, page, total=total)
        if self.cache is not None and known is not None and total is None:
            self.cache.put(key, str(counted).encode(), known.version)
        return Page(items, counted, page)


class GetProduct:
    """One product."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, product_id: int) -> Product:
        with self.uow:
            return load_product(self.uow, product_id)


@dataclass
class CreateProduct:
    """Add a product to a category; stock None means untracked."""

    uow: UnitOfWork
    clock: Clock
    currency: str

    def __call__(
        self,
        *,
        name: str,
        price: Decimal,
        category_id: int,
        description: str = "",
        stock: int | None = None,
    ) -> Product:
        fields = ProductChanges(name=name, description=description, price=price, stock=stock)
        with self.uow:
            ensure_category(self.uow, category_id)
            product = Product.create(fields, slug=new_slug(self.uow, fields.name),
                                     category_id=category_id, currency=self.currency,
                                     now=self.clock.now())
            self.uow.products.add(product)
            self.uow.commit()
        return product


@dataclass
class UpdateProduct:
    """Change any of a product's fields; only what is given changes."""

    uow: UnitOfWork
    clock: Clock
    cache: CartCache | None = None

    def __call__(
        self,
        *,
        product_id: int,
        name: str = UNSET,
        description: str = UNSET,
        price: Decimal = UNSET,
        category_id: int = UNSET,
        stock: int | None = UNSET,
    ) -> Product:
        changes = ProductChanges(name=name, description=description, price=price,
                                 category_id=category_id, stock=stock)
        with self.uow:
            product = load_product(self.uow, product_id)
            if changes.category_id is not UNSET:
                ensure_category(self.uow, changes.category_id)
            product.update(changes, now=self.clock.now(),
                           slug_for=lambda new: new_slug(self.uow, new, keep=product.slug))
            self.uow.products.save(product)
            holders = self.uow.carts.holding(product_id)
            self.uow.commit()
        if self.cache is not None:
            self.cache.invalidate(holders)
        return product


@dataclass
class DeleteProduct:
    """Remove a product from the catalog; carts holding it will show it as unavailable."""

    uow: UnitOfWork
    cache: CartCache | None = None

    def __call__(self, *, product_id: int) -> None:
        with self.uow:
            product = load_product(self.uow, product_id)
            product.delete()
            self.uow.products.delete(product)
            holders = self.uow.carts.holding(product_id)
            self.uow.commit()
        if self.cache is not None:
            self.cache.invalidate(holders)
