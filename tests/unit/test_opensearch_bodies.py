"""The OpenSearch engine's mapping, the requests it sends and how it reads the answers.

No OpenSearch server runs here: a hand-written stand-in for the few client methods the
engine calls (tests/unit/opensearch_fake.py) records each request and answers with canned
responses shaped like the server's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from opensearchpy.exceptions import ConnectionError as Unreachable
from opensearchpy.exceptions import ConnectionTimeout, TransportError

from shopcore.adapters.opensearch.documents import INDEX_BODY, PREFIX, TEXT, fingerprint
from shopcore.adapters.opensearch.queries import search_body
from shopcore.adapters.opensearch.search import OpenSearchSearch
from shopcore.domain.catalog import Product
from shopcore.domain.errors import SearchUnavailable
from shopcore.domain.money import Money
from shopcore.ports.search import PRICE_BUCKETS, CategoryFacet, PriceFacet, SearchHit, SearchQuery
from tests.unit.opensearch_fake import FakeOpenSearch

ALIAS = "shop-test"
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def a_product(product_id: int, name: str, price: str = "19.99", stock: int | None = 3,
              category_id: int = 7, description: str = "") -> Product:
    return Product(name=name, slug=name.lower(), description=description,
                   price=Money(Decimal(price), "USD"), category_id=category_id, stock=stock,
                   created_at=NOW, updated_at=NOW, id=product_id)


def answer(hits: list[tuple[int, float]], total: int, aggs: dict[str, Any] | None = None,
           ) -> dict[str, Any]:
    return {"took": 3, "timed_out": False,
            "hits": {"total": {"value": total, "relation": "eq"}, "max_score": None,
                     "hits": [{"_index": f"{ALIAS}-1", "_id": str(i), "_score": s,
                               "sort": [s, i]} for i, s in hits]},
            "aggregations": aggs or {}}


def scan_page(*pairs: tuple[int, str]) -> dict[str, Any]:
    return {"hits": {"total": {"value": len(pairs), "relation": "eq"},
                     "hits": [{"_id": str(i), "_score": None, "_source": {"fingerprint": f},
                               "sort": [i]} for i, f in pairs]}}


def every_value(tree: Any) -> list[Any]:
    if isinstance(tree, dict):
        return [*tree.keys(), *(v for value in tree.values() for v in every_value(value))]
    if isinstance(tree, list):
        return [v for value in tree for v in every_value(value)]
    return [tree]


def test_names_and_descriptions_are_analysed_folded_and_lowercased_with_a_prefix_subfield(
) -> None:
    analysis, properties = INDEX_BODY["settings"]["analysis"], INDEX_BODY["mappings"]["properties"]
    assert analysis["analyzer"][TEXT]["filter"] == ["lowercase", "asciifolding"]
    assert analysis["analyzer"][PREFIX]["filter"] == ["lowercase", "asciifolding",
                                                      "shop_edge_ngram"]
    assert analysis["filter"]["shop_edge_ngram"]["type"] == "edge_ngram"
    assert properties["name"]["analyzer"] == properties["description"]["analyzer"] == TEXT
    assert properties["name"]["fields"]["prefix"] == {
        "type": "text", "analyzer": PREFIX, "search_analyzer": TEXT}


def test_filters_and_facets_use_exact_fields_and_prices_are_whole_cents() -> None:
    properties = INDEX_BODY["mappings"]["properties"]
    assert INDEX_BODY["mappings"]["dynamic"] == "strict"
    assert {name: properties[name]["type"] for name in
            ("id", "category_id", "category_name", "price_cents", "in_stock")} == {
        "id": "long", "category_id": "integer", "category_name": "keyword",
        "price_cents": "long", "in_stock": "boolean"}


def test_a_search_with_every_filter_sends_fuzzy_boosted_words_filters_a_stable_sort_and_facets(
) -> None:
    query = SearchQuery("Laptop pro", category_id=7, min_price=Decimal("10.005"),
                        max_price=Decimal("99.999"), in_stock=True, page=3, size=10)
    body = search_body(query)
    boolean = body["query"]["bool"]
    fuzzy, = boolean["must"]
    assert fuzzy == {"multi_match": {"query": "Laptop pro", "fields": [
        "name^3", "name.prefix^2", "description"], "type": "best_fields", "fuzziness": "AUTO",
        "tie_breaker": 0.3}}
    assert boolean["should"][0] == {"match_phrase": {"name": {"query": "Laptop pro",
                                                              "boost": 10}}}
    assert boolean["filter"] == [{"term": {"category_id": 7}},
                                 {"range": {"price_cents": {"gte": 1001, "lte": 9999}}},
                                 {"term": {"in_stock": True}}]
    assert body["sort"] == [{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}]
    assert (body["from"], body["size"], body["track_total_hits"]) == (20, 10, True)
    assert body["aggs"]["categories"]["terms"]["field"] == "category_id"
    assert body["aggs"]["categories"]["aggs"]["names"]["terms"]["field"] == "category_name"
    ranges = body["aggs"]["prices"]["range"]["ranges"]
    assert [(r.get("from"), r.get("to")) for r in ranges] == [
        (0, 2500), (2500, 5000), (5000, 10000), (10000, 25000), (25000, 50000),
        (50000, 100000), (100000, None)]
    assert len(ranges) == len(PRICE_BUCKETS) + 1


def test_a_search_without_filters_has_an_empty_filter() -> None:
    assert search_body(SearchQuery("mug"))["query"]["bool"]["filter"] == []


@pytest.mark.parametrize("text", ['" OR 1=1 --', "NEAR(a b)", "title:(x AND y)", "-*", "a\\"])
def test_query_text_only_ever_reaches_match_queries_never_query_string(text: str) -> None:
    values = every_value(search_body(SearchQuery(text)))
    assert "query_string" not in values and "simple_query_string" not in values
    assert values.count(text) == 3  # the multi_match, the phrase and the all-words match


def test_hits_scores_total_and_facets_are_read_from_the_answer() -> None:
    aggs = {
        "categories": {"buckets": [
            {"key": 7, "doc_count": 2, "names": {"buckets": [{"key": "Computers",
                                                              "doc_count": 2}]}},
            {"key": 3, "doc_count": 1, "names": {"buckets": [{"key": "Audio",
                                                              "doc_count": 1}]}}]},
        "prices": {"buckets": [
            {"key": "0", "from": 0.0, "to": 2500.0, "doc_count": 1},
            {"key": "25", "from": 2500.0, "to": 5000.0, "doc_count": 0},
            {"key": "1000", "from": 100000.0, "doc_count": 2}]}}
    client = FakeOpenSearch(answer([(12, 8.5), (4, 8.5)], total=3, aggs=aggs))
    result = OpenSearchSearch(client, ALIAS).search(SearchQuery("laptop", size=2))
    assert result.hits == [SearchHit(12, 8.5), SearchHit(4, 8.5)]
    assert result.total == 3
    assert result.categories == [CategoryFacet(7, "Computers", 2), CategoryFacet(3, "Audio", 1)]
    assert result.price_ranges == [PriceFacet(Decimal(0), Decimal(25), 1),
                                   PriceFacet(Decimal(1000), None, 2)]


def test_the_first_use_creates_a_versioned_index_behind_the_alias() -> None:
    client = FakeOpenSearch(answer([], total=0))
    OpenSearchSearch(client, ALIAS).search(SearchQuery("mug"))
    (name, body), = client.of("create")
    assert name.startswith(f"{ALIAS}-") and body["aliases"] == {ALIAS: {}}
    assert body["mappings"] == INDEX_BODY["mappings"]
    assert client.of("search")[0][0] == ALIAS


def test_indexing_sends_bulk_index_actions_that_wait_for_a_refresh() -> None:
    client = FakeOpenSearch()
    product = a_product(5, "Café Grinder", price="24.50", stock=0, description="burrs")
    OpenSearchSearch(client, ALIAS).index([product], {7: "Kitchen"})
    (actions, params), = client.of("bulk")
    assert params["refresh"] == "wait_for"
    assert actions == [("index", {"_index": ALIAS, "_id": "5"}, {
        "id": 5, "name": "Café Grinder", "description": "burrs", "category_id": 7,
        "category_name": "Kitchen", "price_cents": 2450, "in_stock": False,
        "fingerprint": fingerprint(product)})]


def test_removing_sends_bulk_deletes_and_unknown_ids_are_no_error() -> None:
    client = FakeOpenSearch()
    OpenSearchSearch(client, ALIAS).remove([5, 6])
    (actions, params), = client.of("bulk")
    assert [(op, meta["_id"]) for op, meta, _ in actions] == [("delete", "5"), ("delete", "6")]
    assert params["refresh"] == "wait_for"


def test_a_rebuild_loads_a_new_index_swaps_the_alias_atomically_then_drops_the_old_one() -> None:
    client = FakeOpenSearch()
    client.indices.aliases[ALIAS] = [f"{ALIAS}-old"]
    loaded = OpenSearchSearch(client, ALIAS).rebuild(
        [a_product(1, "Mug"), a_product(2, "Kettle")], {7: "Kitchen"})
    (new, body), = client.of("create")
    assert loaded == 2 and new.startswith(f"{ALIAS}-") and "aliases" not in body
    (actions, _), = client.of("bulk")
    assert {meta["_index"] for _, meta, _ in actions} == {new}
    assert client.of("refresh") == [new]
    assert client.of("update_aliases") == [{"actions": [
        {"remove": {"index": f"{ALIAS}-old", "alias": ALIAS}},
        {"add": {"index": new, "alias": ALIAS}}]}]
    assert client.of("delete") == [f"{ALIAS}-old"]
    assert [name for name, _ in client.calls] == ["create", "bulk", "refresh",
                                                  "update_aliases", "delete"]


def test_drift_names_products_missing_stale_and_extra_by_their_fingerprints() -> None:
    kept, renamed, lost = a_product(1, "Mug"), a_product(2, "Kettle"), a_product(3, "Pan")
    old_name = fingerprint(a_product(2, "Kettel"))
    client = FakeOpenSearch(scan_page((1, fingerprint(kept)), (2, old_name), (9, "x")))
    client.indices.aliases[ALIAS] = [f"{ALIAS}-1"]
    drift = OpenSearchSearch(client, ALIAS).drift([kept, renamed, lost])
    assert (list(drift.missing), list(drift.stale), list(drift.extra)) == ([3], [2], [9])
    assert client.of("search")[0][1]["sort"] == [{"id": {"order": "asc"}}]


def test_a_fingerprint_changes_with_price_name_and_stock_status_but_not_stock_count() -> None:
    base = fingerprint(a_product(1, "Mug", stock=3))
    assert fingerprint(a_product(1, "Mug", stock=2)) == base
    assert base not in {fingerprint(a_product(1, "Mug", stock=0)),
                        fingerprint(a_product(1, "Mugs", stock=3)),
                        fingerprint(a_product(1, "Mug", price="19.98", stock=3))}


@pytest.mark.parametrize("failure", [
    Unreachable("N/A", "Connection refused", None),
    ConnectionTimeout("TIMEOUT", "Read timed out", None),
    TransportError(503, "cluster_block_exception", {}),
    TransportError(429, "too_many_requests", {}),
])
def test_an_unreachable_slow_or_overloaded_server_raises_search_unavailable(
    failure: Exception,
) -> None:
    client = FakeOpenSearch(fails=failure)
    client.indices.aliases[ALIAS] = [f"{ALIAS}-1"]
    engine = OpenSearchSearch(client, ALIAS)
    with pytest.raises(SearchUnavailable):
        engine.search(SearchQuery("mug"))
    with pytest.raises(SearchUnavailable):
        engine.index([a_product(1, "Mug")], {})


def test_readiness_is_up_when_the_server_answers_a_ping_and_down_otherwise() -> None:
    assert OpenSearchSearch(FakeOpenSearch()).check() == "up"
    assert OpenSearchSearch(FakeOpenSearch(fails=TransportError(503, "x", {}))).check() == "down"
    assert OpenSearchSearch(FakeOpenSearch(fails=OSError("boom"))).check() == "down"
