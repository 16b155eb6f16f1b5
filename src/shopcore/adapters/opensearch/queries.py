"""The request bodies a search sends, and its answer read back into the port's result.

The user's text only ever goes into `match`-family queries, which analyse it as words: no
character of it is query syntax, so no text can break a search.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise
from typing import Any

from shopcore.adapters.opensearch.documents import cents
from shopcore.ports.search import (
    PRICE_BUCKETS,
    CategoryFacet,
    PriceFacet,
    SearchHit,
    SearchQuery,
    SearchResult,
)

# Field boosts: a word of the name counts above a prefix of one, which counts above the
# description; the exact name as a phrase, and every word in the name, add on top.
FIELDS = ("name^3", "name.prefix^2", "description")
PHRASE_BOOST = 10
ALL_WORDS_BOOST = 2
CATEGORY_FACETS_AT_MOST = 500
SCAN_PAGE = 1000


def filters_of(query: SearchQuery) -> list[dict[str, Any]]:
    """The query's filters as `bool` filter clauses: they narrow, they do not score."""
    found: list[dict[str, Any]] = []
    if query.category_id is not None:
        found.append({"term": {"category_id": query.category_id}})
    price: dict[str, int] = {}
    if query.min_price is not None:
        price["gte"] = cents(query.min_price, round_up=True)
    if query.max_price is not None:
        price["lte"] = cents(query.max_price)
    if price:
        found.append({"range": {"price_cents": price}})
    if query.in_stock is not None:
        found.append({"term": {"in_stock": query.in_stock}})
    return found


def price_ranges() -> list[dict[str, Any]]:
    """The port's PRICE_BUCKETS as a `range` aggregation's ranges, in cents."""
    bounds = [Decimal(0), *PRICE_BUCKETS]
    ranges: list[dict[str, Any]] = [
        {"key": str(low), "from": cents(low), "to": cents(high)}
        for low, high in pairwise(bounds)]
    ranges.append({"key": str(bounds[-1]), "from": cents(bounds[-1])})
    return ranges


def search_body(query: SearchQuery) -> dict[str, Any]:
    """The body of one search: ranked matches, a stable order, one page, facets over all."""
    text = query.text
    return {
        "from": (query.page - 1) * query.size,
        "size": query.size,
        "track_total_hits": True,
        "track_scores": True,
        "_source": False,
        "query": {"bool": {
            "must": [{"multi_match": {"query": text, "fields": list(FIELDS),
                                      "type": "best_fields", "fuzziness": "AUTO",
                                      "tie_breaker": 0.3}}],
            "should": [
                {"match_phrase": {"name": {"query": text, "boost": PHRASE_BOOST}}},
                {"match": {"name": {"query": text, "operator": "and", "fuzziness": "AUTO",
                                    "boost": ALL_WORDS_BOOST}}},
            ],
            "filter": filters_of(query),
        }},
        "sort": [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}],
        "aggs": {
            "categories": {
                "terms": {"field": "category_id", "size": CATEGORY_FACETS_AT_MOST,
                          "order": [{"_count": "desc"}, {"_key": "asc"}]},
                "aggs": {"names": {"terms": {"field": "category_name", "size": 1}}},
            },
            "prices": {"range": {"field": "price_cents", "ranges": price_ranges()}},
        },
    }


def _total(hits: dict[str, Any]) -> int:
    total = hits.get("total", 0)
    return int(total["value"] if isinstance(total, dict) else total)


def _score(hit: dict[str, Any]) -> float:
    score = hit.get("_score")
    return float(hit["sort"][0] if score is None else score)


def _category(bucket: dict[str, Any]) -> CategoryFacet:
    names = bucket.get("names", {}).get("buckets", [])
    return CategoryFacet(int(bucket["key"]), str(names[0]["key"]) if names else "",
                         int(bucket["doc_count"]))


def _price(bucket: dict[str, Any]) -> PriceFacet:
    high = bucket.get("to")
    return PriceFacet(Decimal(int(bucket["from"])) / 100,
                      None if high is None else Decimal(int(high)) / 100,
                      int(bucket["doc_count"]))


def result_of(response: dict[str, Any]) -> SearchResult:
    """An OpenSearch answer as the port's result; empty price buckets are left out."""
    hits = response["hits"]
    aggregations = response.get("aggregations", {})
    categories = aggregations.get("categories", {}).get("buckets", [])
    prices = aggregations.get("prices", {}).get("buckets", [])
    return SearchResult(
        hits=[SearchHit(int(hit["_id"]), _score(hit)) for hit in hits["hits"]],
        total=_total(hits),
        categories=[_category(bucket) for bucket in categories],
        price_ranges=[_price(bucket) for bucket in prices if bucket["doc_count"]])


def scan_body(after: int | None) -> dict[str, Any]:
    """One page of every document's id and fingerprint, in id order, after `after`."""
    body: dict[str, Any] = {"size": SCAN_PAGE, "query": {"match_all": {}},
                            "_source": ["fingerprint"], "sort": [{"id": {"order": "asc"}}]}
    if after is not None:
        body["search_after"] = [after]
    return body


def fingerprints_of(response: dict[str, Any]) -> Sequence[tuple[int, str]]:
    """The (id, fingerprint) pairs of one scan page."""
    return [(int(hit["_id"]), str(hit.get("_source", {}).get("fingerprint", "")))
            for hit in response["hits"]["hits"]]
