"""What both database engines share: filters, facets, pages and drift, all in SQL."""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from shopcore.adapters.sqlsearch.text import words
from shopcore.domain.catalog import Product
from shopcore.domain.errors import SearchUnavailable
from shopcore.ports.search import (
    PRICE_BUCKETS,
    CategoryFacet,
    Drift,
    PriceFacet,
    SearchHit,
    SearchQuery,
    SearchResult,
)

Fetch = Callable[[str, dict[str, Any]], list[Any]]
DOWN = (OperationalError, InterfaceError, sqlite3.OperationalError, sqlite3.InterfaceError)
# Added to the score of a product holding every word of a several-word query.
ALL_WORDS_BONUS = 100.0
CENTS_LIMIT = 2**62

BUCKET = "CASE " + " ".join(f"WHEN p.price_cents < {int(upper * 100)} THEN {i}"
                            for i, upper in enumerate(PRICE_BUCKETS)) + \
         f" ELSE {len(PRICE_BUCKETS)} END"


def _cents(amount: int) -> int:
    # A bound past any stored price means the same, and stays within a 64-bit integer.
    return max(-CENTS_LIMIT, min(CENTS_LIMIT, amount))


def _filters(query: SearchQuery) -> tuple[str, dict[str, Any]]:
    clauses, params = ["1 = 1"], dict[str, Any]()
    if query.category_id is not None:
        clauses.append("p.category_id = :category_id")
        params["category_id"] = query.category_id
    if query.min_price is not None:
        clauses.append("p.price_cents >= :min_cents")
        params["min_cents"] = _cents(math.ceil(query.min_price * 100))
    if query.max_price is not None:
        clauses.append("p.price_cents <= :max_cents")
        params["max_cents"] = _cents(math.floor(query.max_price * 100))
    if query.in_stock is True:
        clauses.append("(p.stock IS NULL OR p.stock > 0)")
    elif query.in_stock is False:
        clauses.append("p.stock <= 0")
    return " AND ".join(clauses), params


def _price_facets(counts: dict[int, int]) -> list[PriceFacet]:
    lowers = (Decimal(0), *PRICE_BUCKETS)
    uppers: tuple[Decimal | None, ...] = (*PRICE_BUCKETS, None)
    return [PriceFacet(low, high, counts[i])
            for i, (low, high) in enumerate(zip(lowers, uppers, strict=True)) if counts.get(i)]


class SqlSearch:
    """The search flow over a `matches(id, score)` CTE that each engine writes its own way."""

    name = ""
    follows_catalog = True  # triggers or a generated column keep it in step with products
    probe = "SELECT 1"

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def _session(self) -> AbstractContextManager[Fetch]:
        raise NotImplementedError

    def _matches(self, fetch: Fetch, terms: list[str]) -> tuple[str, str, dict[str, Any]]:
        """SQL of the matches as (id, score), then as ids alone (for facets), and parameters."""
        raise NotImplementedError

    def _indexed_ids(self, fetch: Fetch) -> set[int]:
        raise NotImplementedError

    def _run(self, work: Callable[[Fetch], Any]) -> Any:
        try:
            with self._session() as fetch:
                return work(fetch)
        except DOWN as exc:
            raise SearchUnavailable(f"The {self.name} search could not answer: {exc}") from exc

    # The database's own triggers or generated column follow every write in its transaction.
    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None:
        return None

    def remove(self, product_ids: Iterable[int]) -> None:
        return None

    def search(self, query: SearchQuery) -> SearchResult:
        terms = words(query.text)
        if not terms:
            return SearchResult(hits=[], total=0, price_ranges=_price_facets({}))
        result: SearchResult = self._run(lambda fetch: self._search(fetch, terms, query))
        return result

    def _search(self, fetch: Fetch, terms: list[str], query: SearchQuery) -> SearchResult:
        scored, matched, params = self._matches(fetch, terms)
        where, filter_params = _filters(query)
        params |= filter_params

        def scoped(matches: str, select: str, join: str, rest: str) -> str:
            return (f"WITH matches AS ({matches}) {select} FROM matches m"
                    f" JOIN products p ON p.id = m.id {join} WHERE {where} {rest}")

        facet_rows = fetch(scoped(
            matched, f"SELECT p.category_id, c.name, {BUCKET}, count(*)",
            "JOIN categories c ON c.id = p.category_id",
            f"GROUP BY p.category_id, c.name, {BUCKET}"), params)
        categories: dict[tuple[int, str], int] = {}
        buckets: dict[int, int] = {}
        for category_id, name, bucket, count in facet_rows:
            key = (int(category_id), str(name))
            categories[key] = categories.get(key, 0) + int(count)
            buckets[int(bucket)] = buckets.get(int(bucket), 0) + int(count)
        total, offset = sum(categories.values()), (query.page - 1) * query.size
        page_rows = [] if offset >= total else fetch(
            scoped(scored, "SELECT m.id, m.score", "",
                   "ORDER BY m.score DESC, m.id LIMIT :limit OFFSET :offset"),
            params | {"limit": query.size, "offset": offset})
        facets = sorted(categories.items(), key=lambda item: (-item[1], item[0][1], item[0][0]))
        return SearchResult(
            hits=[SearchHit(int(i), float(score)) for i, score in page_rows], total=total,
            categories=[CategoryFacet(i, name, count) for (i, name), count in facets],
            price_ranges=_price_facets(buckets))

    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        count: int = self._run(lambda fetch: fetch("SELECT count(*) FROM products", {})[0][0])
        return count

    def drift(self, products: Iterable[Product]) -> Drift:
        given = {p.id: p for p in products if p.id is not None}

        def compare(fetch: Fetch) -> Drift:
            stored = {int(i): (name, description) for i, name, description
                      in fetch("SELECT id, name, description FROM products", {})}
            indexed = self._indexed_ids(fetch)
            return Drift(
                missing=sorted(i for i, p in given.items() if i not in indexed
                               and words(f"{p.name} {p.description}")),
                stale=sorted(i for i, p in given.items() if i in indexed
                             and stored.get(i) != (p.name, p.description)),
                extra=sorted(indexed - given.keys()))

        found: Drift = self._run(compare)
        return found

    def check(self) -> str:
        try:
            self._run(lambda fetch: fetch(self.probe, {}))
        except SearchUnavailable:
            return "down"
        return "up"
