"""Product search: ranked pages with facets, answered by the database's engine when needed."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shopcore.application.products import ensure_category
from shopcore.application.search_index import DeferredIndexing
from shopcore.domain.catalog import Product, ProductQuery
from shopcore.domain.errors import InvalidSearchText, SearchUnavailable
from shopcore.domain.pagination import Page, PageRequest
from shopcore.ports.clock import Clock
from shopcore.ports.search import (
    MAX_QUERY,
    CategoryFacet,
    PriceFacet,
    ProductSearch,
    SearchQuery,
    SearchResult,
)
from shopcore.ports.unit_of_work import UnitOfWork

log = logging.getLogger("shopcore.search")


@dataclass(frozen=True)
class ScoredProduct:
    """A product found by a search, with its relevance."""

    product: Product
    score: float


@dataclass(frozen=True)
class SearchPage:
    """A page of found products, best first, and the facets over every match."""

    page: Page[ScoredProduct]
    categories: Sequence[CategoryFacet]
    price_ranges: Sequence[PriceFacet]


@dataclass
class FallbackWarning:
    """Says the search engine is down and the fallback answers, at most once per `every`."""

    clock: Clock
    every: timedelta = timedelta(minutes=1)
    last: datetime | None = field(default=None, init=False)

    def __call__(self, engine: str, fallback: str, error: SearchUnavailable) -> None:
        now = self.clock.now()
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now
        log.warning("search: %s is unavailable (%s); answering from %s", engine,
                    error.message, fallback)


def checked_text(text: str) -> str:
    """The query without surrounding blanks, 1-200 characters, else InvalidSearchText."""
    stripped = text.strip()
    if not 1 <= len(stripped) <= MAX_QUERY:
        message = f"Ensure this field has 1-{MAX_QUERY} characters, not blank."
        raise InvalidSearchText("Invalid search query.", {"text": [message]})
    return stripped


@dataclass
class SearchProducts:
    """Search the catalog: relevance first, filtered as the product list, with facets."""

    uow: UnitOfWork
    search: ProductSearch
    fallback: ProductSearch | None = None
    warn: FallbackWarning | None = None
    pending: DeferredIndexing | None = None

    def __call__(self, *, text: str, filters: ProductQuery, page: PageRequest) -> SearchPage:
        filters.check()
        query = SearchQuery(checked_text(text), filters.category_id, filters.min_price,
                            filters.max_price, filters.in_stock, page.number, page.size)
        self._catch_up()
        with self.uow:
            if filters.category_id is not None:
                ensure_category(self.uow, filters.category_id)
            result = self._ask(query)
            found = self.uow.products.get_many([hit.product_id for hit in result.hits])
        items = [ScoredProduct(found[hit.product_id], hit.score) for hit in result.hits
                 if hit.product_id in found]
        return SearchPage(Page(items, result.total, page), result.categories,
                          result.price_ranges)

    def _catch_up(self) -> None:
        if self.pending is None:
            return
        try:
            self.pending.flush()
        except SearchUnavailable as exc:
            if self.warn is not None:
                self.warn(self.search.name, "the last index", exc)

    def _ask(self, query: SearchQuery) -> SearchResult:
        try:
            return self.search.search(query)
        except SearchUnavailable as exc:
            if self.fallback is None:
                raise
            if self.warn is not None:
                self.warn(self.search.name, self.fallback.name, exc)
            return self.fallback.search(query)
