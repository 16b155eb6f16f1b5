"""Products: browse with filters, read, create, change, delete."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from shopcore.domain.catalog import PRODUCT_ORDERINGS, Product
from shopcore.domain.errors import NotFound, ValidationFailed
from shopcore.domain.money import Money
from shopcore.domain.pagination import Page, PageRequest
from shopcore.domain.text import slugify, unique_slug
from shopcore.ports.cart_cache import CartCache
from shopcore.ports.clock import Clock
from shopcore.ports.repositories import ProductQuery
from shopcore.ports.unit_of_work import UnitOfWork

UNSET: Any = object()


def load_product(uow: UnitOfWork, product_id: int) -> Product:
    product = uow.products.get(product_id)
    if product is None:
        raise NotFound("Product not found.")
    return product


def ensure_category(uow: UnitOfWork, category_id: int, field: str = "category") -> None:
    if uow.categories.get(category_id) is None:
        message = f'Invalid pk "{category_id}" - object does not exist.'
        raise ValidationFailed(message, {field: [message]})


def new_slug(uow: UnitOfWork, name: str, keep: str | None = None) -> str:
    base = slugify(name)
    return unique_slug(base, uow.products.slugs_like(base) - {keep or ""})


class ListProducts:
    """A filtered, ordered page of products."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, query: ProductQuery, page: PageRequest) -> Page[Product]:
        if query.ordering is not None and query.ordering not in PRODUCT_ORDERINGS:
            raise ValidationFailed("Unknown ordering.", {"ordering": [
                f"Select one of: {', '.join(PRODUCT_ORDERINGS)}."]})
        if (query.min_price is not None and query.max_price is not None
                and query.min_price > query.max_price):
            raise ValidationFailed("min_price is above max_price.",
                                   {"min_price": ["Must not be above max_price."]})
        with self.uow:
            if query.category_id is not None:
                ensure_category(self.uow, query.category_id)
            items, total = self.uow.products.list(query, page)
        return Page(items, total, page)


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
        name = name.strip()
        Product.check(name=name, description=description, price=price, stock=stock)
        now = self.clock.now()
        with self.uow:
            ensure_category(self.uow, category_id)
            product = Product(name=name, slug=new_slug(self.uow, name), description=description,
                              price=Money(price, self.currency), category_id=category_id,
                              stock=stock, created_at=now, updated_at=now)
            self.uow.products.add(product)
            product.changed("created")
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
        Product.check(name=None if name is UNSET else name.strip(),
                      description=None if description is UNSET else description,
                      price=None if price is UNSET else price,
                      stock=None if stock is UNSET else stock)
        with self.uow:
            product = load_product(self.uow, product_id)
            if name is not UNSET and name.strip() != product.name:
                product.name = name.strip()
                product.slug = new_slug(self.uow, product.name, keep=product.slug)
            if description is not UNSET:
                product.description = description
            if price is not UNSET:
                product.price = Money(price, product.price.currency)
            if category_id is not UNSET:
                ensure_category(self.uow, category_id)
                product.category_id = category_id
            if stock is not UNSET:
                product.stock = stock
            product.updated_at = self.clock.now()
            product.changed("updated")
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
            product.changed("deleted")
            self.uow.products.delete(product)
            holders = self.uow.carts.holding(product_id)
            self.uow.commit()
        if self.cache is not None:
            self.cache.invalidate(holders)
