"""The catalog: categories and the products in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from shopcore.domain.events import Aggregate, ProductChanged
from shopcore.domain.money import MAX_AMOUNT, Money, MoneyError, to_amount
from shopcore.domain.rules import BusinessRule, check_rules

MAX_CATEGORY_NAME = 100
MAX_PRODUCT_NAME = 255
PRODUCT_ORDERINGS = ("price", "-price", "name", "-name", "created_at", "-created_at")


@dataclass(frozen=True)
class NameMustBePresent(BusinessRule):
    name: str
    max_length: int

    def is_broken(self) -> bool:
        return not self.name.strip() or len(self.name) > self.max_length

    @property
    def message(self) -> str:
        return f"1-{self.max_length} characters, not blank."


@dataclass(frozen=True)
class PriceMustBeValid(BusinessRule):
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


MAX_STOCK = 2**31 - 1
CONTROL = {chr(c) for c in range(32) if chr(c) not in "\t\n\r"} | {"\x7f"}


@dataclass(frozen=True)
class StockMustNotBeNegative(BusinessRule):
    stock: int | None

    def is_broken(self) -> bool:
        return self.stock is not None and not 0 <= self.stock <= MAX_STOCK

    @property
    def message(self) -> str:
        if self.stock is not None and self.stock > MAX_STOCK:
            return f"Ensure this value is less than or equal to {MAX_STOCK}."
        return "Ensure this value is greater than or equal to 0."


@dataclass(frozen=True)
class TextMustBePlain(BusinessRule):
    text: str

    def is_broken(self) -> bool:
        return any(ch in CONTROL or 0xD800 <= ord(ch) <= 0xDFFF for ch in self.text)

    @property
    def message(self) -> str:
        return "Control characters and unpaired surrogates are not allowed."


@dataclass
class Category:
    """A named group of products, addressed by id or slug."""

    name: str
    slug: str
    description: str = ""
    id: int | None = None

    @staticmethod
    def check(name: str, description: str = "") -> None:
        check_rules(NameMustBePresent("name", name, MAX_CATEGORY_NAME),
                    TextMustBePlain("name", name), TextMustBePlain("description", description))


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

    def changed(self, change: str) -> None:
        """Record that this stored product was created, updated or deleted."""
        assert self.id is not None
        self.record(ProductChanged(
            product_id=self.id, change=change, name=self.name, slug=self.slug,
            price=self.price.amount, currency=self.price.currency,
            category_id=self.category_id, stock=self.stock))

    @staticmethod
    def check(
        *,
        name: str | None = None,
        description: str | None = None,
        price: Decimal | None = None,
        stock: int | None = None,
    ) -> None:
        rules: list[BusinessRule] = [StockMustNotBeNegative("stock", stock)]
        if name is not None:
            rules.append(NameMustBePresent("name", name, MAX_PRODUCT_NAME))
            rules.append(TextMustBePlain("name", name))
        if description is not None:
            rules.append(TextMustBePlain("description", description))
        if price is not None:
            rules.append(PriceMustBeValid("price", price))
        check_rules(*rules)
