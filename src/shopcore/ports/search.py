"""Product search: ranked, typo-tolerant, faceted, behind one port with several engines."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from shopcore.domain.catalog import Product

MAX_QUERY = 200


@dataclass(frozen=True)
class SearchQuery:
    """What to look for (`text`, 1-200 characters), the filters and the page (from 1)."""

    text: str
    category_id: int | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None
    page: int = 1
    size: int = 20


@dataclass(frozen=True)
class SearchHit:
    """A matching product's id and its relevance: higher is better, within one answer."""

    product_id: int
    score: float


@dataclass(frozen=True)
class CategoryFacet:
    category_id: int
    name: str
    count: int


@dataclass(frozen=True)
class PriceFacet:
    """Matches priced from `min` (inclusive) to `max` (exclusive; None: no upper bound)."""

    min: Decimal
    max: Decimal | None
    count: int


@dataclass(frozen=True)
class SearchResult:
    """One page of hits, best first (ties by product id), and the facets over every match."""

    hits: Sequence[SearchHit]
    total: int
    categories: Sequence[CategoryFacet] = field(default_factory=list)
    price_ranges: Sequence[PriceFacet] = field(default_factory=list)


@dataclass(frozen=True)
class Drift:
    """How the index differs from the catalog: ids missing from it, stale in it, or extra."""

    missing: Sequence[int] = ()
    stale: Sequence[int] = ()
    extra: Sequence[int] = ()

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.extra)


# The price buckets every engine counts its facets in (upper bounds, exclusive).
PRICE_BUCKETS: tuple[Decimal, ...] = (Decimal("25"), Decimal("50"), Decimal("100"),
                                      Decimal("250"), Decimal("500"), Decimal("1000"))


class ProductSearch(Protocol):
    """An index of the catalog's products that answers ranked, forgiving searches.

    `index` adds or replaces products (their category names included, for the facets);
    `remove` drops ids (unknown ids are ignored). `search` ranks by relevance: the exact
    name first, every word matched above some, prefixes of three letters or more and
    one-letter typos still found, accents and case ignored; its facets count every match,
    not only the page. `rebuild` replaces the whole index with `products`; `drift` compares
    the index with them. Query text the engine cannot parse is searched as plain words,
    never an error. An engine that is down raises `SearchUnavailable`. An engine that
    `follows_catalog` reads the catalog's own tables, kept in step by the database in the
    same transaction as every change: feeding it `index`/`remove` is never needed.
    """

    name: str
    follows_catalog: bool

    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None: ...
    def remove(self, product_ids: Iterable[int]) -> None: ...
    def search(self, query: SearchQuery) -> SearchResult: ...
    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int: ...
    def drift(self, products: Iterable[Product]) -> Drift: ...
    def check(self) -> str:
        """'up', 'down', or the name of the engine in use, quickly, for readiness."""
        ...
