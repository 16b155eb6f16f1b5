"""How a product listing is asked for: its filters and ordering, and their rules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from shopcore.domain.rules import BusinessRule, check_rules

PRODUCT_ORDERINGS = ("price", "-price", "name", "-name", "created_at", "-created_at")


@dataclass(frozen=True)
class MinPriceMustNotExceedMaxPrice(BusinessRule):
    min_price: Decimal | None
    max_price: Decimal | None

    def is_broken(self) -> bool:
        return (self.min_price is not None and self.max_price is not None
                and self.min_price > self.max_price)

    @property
    def message(self) -> str:
        return "Must not be above max_price."

    @property
    def summary(self) -> str:
        return "min_price is above max_price."


@dataclass(frozen=True)
class OrderingMustBeKnown(BusinessRule):
    ordering: str | None

    def is_broken(self) -> bool:
        return self.ordering is not None and self.ordering not in PRODUCT_ORDERINGS

    @property
    def message(self) -> str:
        return f"Select one of: {', '.join(PRODUCT_ORDERINGS)}."

    @property
    def summary(self) -> str:
        return "Unknown ordering."


@dataclass(frozen=True)
class ProductQuery:
    """Filters and ordering of a product listing; None means no filter."""

    category_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    ordering: str | None = None

    def check(self) -> None:
        """A known ordering, then a price range that is not upside down."""
        check_rules(OrderingMustBeKnown("ordering", self.ordering))
        check_rules(MinPriceMustNotExceedMaxPrice("min_price", self.min_price, self.max_price))
