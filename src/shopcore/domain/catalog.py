"""The catalog: categories and the products in them (a listing's query: product_query)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from shopcore.domain.errors import ValidationFailed
from shopcore.domain.events import Aggregate, ProductChanged
from shopcore.domain.money import MAX_AMOUNT, Money, MoneyError, to_amount
from shopcore.domain.product_query import (
    PRODUCT_ORDERINGS,
    MinPriceMustNotExceedMaxPrice,
    OrderingMustBeKnown,
    ProductQuery,
)
from shopcore.domain.rules import BusinessRule, TextMustBePlain, check_rules

MAX_CATEGORY_NAME = 100
MAX_PRODUCT_NAME = 255
MAX_STOCK = 2**31 - 1
UNSET: Any = object()

__all__ = ["MAX_CATEGORY_NAME", "MAX_PRODUCT_NAME", "MAX_STOCK", "PRODUCT_ORDERINGS", "UNSET",
           "Category", "MinPriceMustNotExceedMaxPrice", "NameMustBePresentAndFit",
           "OrderingMustBeKnown", "PriceMustBeAmountInRange", "Product", "ProductChanges",
           "ProductQuery", "StockMustBeInRange", "UnknownCategory", "name_rules"]


class UnknownCategory(ValidationFailed):
    """A product names a category that does not exist."""

    def __init__(self, field: str, category_id: int) -> None:
        message = f"Category {category_id} does not exist."
        super().__init__(message, {field: [message]})
        self.field, self.category_id = field, category_id


@dataclass(frozen=True)
class NameMustBePresentAndFit(BusinessRule):
    """Not blank and at most `max_length` characters."""

    name: str
    max_length: int

    def is_broken(self) -> bool:
        return not self.name.strip() or len(self.name) > self.max_length

    @property
    def message(self) -> str:
        return f"1-{self.max_length} characters, not blank."


@dataclass(frozen=True)
class PriceMustBeAmountInRange(BusinessRule):
    """A finite amount of at most two places, from 0 to MAX_AMOUNT."""

    price: Decimal

    @property
    def problem(self) -> str | None:
        try:
            amount = to_amount(self.price)
        except MoneyError as exc:
            return str(exc)
        if amount < 0:
            return "Ensure this value is greater than or equal to 0."
        if amount > MAX_AMOUNT:
            return f"Ensure this value is less than or equal to {MAX_AMOUNT}."
        return None

    def is_broken(self) -> bool:
        return self.problem is not None

    @property
    def message(self) -> str:
        return self.problem or ""


@dataclass(frozen=True)
class StockMustBeInRange(BusinessRule):
    """Untracked (None), or from 0 to MAX_STOCK units."""

    stock: int | None

    def is_broken(self) -> bool:
        return self.stock is not None and not 0 <= self.stock <= MAX_STOCK

    @property
    def message(self) -> str:
        if self.stock is not None and self.stock > MAX_STOCK:
            return f"Ensure this value is less than or equal to {MAX_STOCK}."
        return "Ensure this value is greater than or equal to 0."


def name_rules(name: str, max_length: int) -> list[BusinessRule]:
    # Catalog names have always accepted tabs and line breaks, like descriptions.
    return [NameMustBePresentAndFit("name", name, max_length),
            TextMustBePlain("name", name, multiline=True)]


@dataclass
class Category:
    """A named group of products, addressed by id or slug."""

    name: str
    slug: str
    description: str = ""
    id: int | None = None

    @staticmethod
    def check(name: str, description: str = "") -> None:
        check_rules(*name_rules(name, MAX_CATEGORY_NAME),
                    TextMustBePlain("description", description, multiline=True))


@dataclass(frozen=True)
class ProductChanges:
    """The fields of a product to set, checked as they are built; UNSET ones stay."""

    name: str = UNSET
    description: str = UNSET
    price: Decimal = UNSET
    category_id: int = UNSET
    stock: int | None = UNSET

    def __post_init__(self) -> None:
        if self.name is not UNSET:
            object.__setattr__(self, "name", self.name.strip())
        rules: list[BusinessRule] = []
        if self.stock is not UNSET:
            rules.append(StockMustBeInRange("stock", self.stock))
        if self.name is not UNSET:
            rules += name_rules(self.name, MAX_PRODUCT_NAME)
        if self.description is not UNSET:
            rules.append(TextMustBePlain("description", self.description, multiline=True))
        if self.price is not UNSET:
            rules.append(PriceMustBeAmountInRange("price", self.price))
        check_rules(*rules)


@dataclass
class Product(Aggregate):
    """Something the shop sells; `stock` None means stock is not tracked."""

    name: str
    slug: str
    description: str
    price: Money
    category_id: int
    stock: int | None
    created_at: datetime
    updated_at: datetime
    id: int | None = None

    @property
    def in_stock(self) -> bool:
        return self.stock is None or self.stock > 0

    @classmethod
    def create(cls, changes: ProductChanges, *, slug: str, category_id: int, currency: str,
               now: datetime) -> Product:
        """A new product from checked fields (description and stock may be UNSET)."""
        return cls(name=changes.name, slug=slug,
                   description="" if changes.description is UNSET else changes.description,
                   price=Money(changes.price, currency), category_id=category_id,
                   stock=None if changes.stock is UNSET else changes.stock,
                   created_at=now, updated_at=now)

    def update(self, changes: ProductChanges, *, now: datetime,
               slug_for: Callable[[str], str]) -> None:
        """Apply the given fields (a new name gets a new slug) and record the change."""
        if changes.name is not UNSET and changes.name != self.name:
            self.name, self.slug = changes.name, slug_for(changes.name)
        if changes.description is not UNSET:
            self.description = changes.description
        if changes.price is not UNSET:
            self.price = Money(changes.price, self.price.currency)
        if changes.category_id is not UNSET:
            self.category_id = changes.category_id
        if changes.stock is not UNSET:
            self.stock = changes.stock
        self.updated_at = now
        self.record(self._changed("updated"))

    def stock_moved(self, by: int) -> None:
        """An order took (`by` < 0) or gave back units of tracked stock: say so, as it now is.

        The repository moved the stored stock itself (a conditional UPDATE); this keeps the
        loaded product level with it and records the change (`in_stock` may have flipped).
        """
        if self.stock is None:
            return
        self.stock += by
        self.record(self._changed("updated"))

    def delete(self) -> None:
        """Record that the product leaves the catalog; the repository then removes it."""
        self.record(self._changed("deleted"))

    def created(self) -> ProductChanged:
        return self._changed("created")

    def _changed(self, change: str) -> ProductChanged:
        assert self.id is not None
        return ProductChanged(
            product_id=self.id, change=change, name=self.name, slug=self.slug,
            price=self.price.amount, currency=self.price.currency,
            category_id=self.category_id, stock=self.stock)
