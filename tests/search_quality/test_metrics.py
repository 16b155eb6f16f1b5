"""The relevance figures' arithmetic, on a toy engine, and the labels against the catalog."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pytest

from shopcore.domain.catalog import Product
from shopcore.ports.search import Drift, SearchHit, SearchQuery, SearchResult
from tests.search_quality.catalog import KINDS, generate
from tests.search_quality.metrics import (
    LabelledQuery,
    figures,
    load_queries,
    recall_at_cutoff,
    reciprocal_rank,
)


@dataclass
class ToyEngine:
    """Answers each text with the ids it was told to, in that order."""

    answers: dict[str, list[int]]
    asked: list[SearchQuery] = field(default_factory=list)
    name: str = "toy"

    def search(self, query: SearchQuery) -> SearchResult:
        self.asked.append(query)
        ids = self.answers.get(query.text, [])
        return SearchResult([SearchHit(i, 1.0 / n) for n, i in enumerate(ids, 1)], len(ids))

    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None: ...
    def remove(self, product_ids: Iterable[int]) -> None: ...
    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        return 0
    def drift(self, products: Iterable[Product]) -> Drift:
        return Drift()
    def check(self) -> str:
        return "up"


def test_the_reciprocal_rank_is_one_over_the_rank_of_the_first_relevant_result() -> None:
    assert reciprocal_rank(["a", "b", "c"], {"a"}) == 1
    assert reciprocal_rank(["x", "y", "c", "a"], {"a", "c"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(["x"] * 10 + ["a"], {"a"}) == 0


def test_recall_counts_the_relevant_results_in_the_top_ten_out_of_at_most_ten() -> None:
    assert recall_at_cutoff(["a", "x", "b"], {"a", "b", "c", "d"}) == 0.5
    relevant = {f"r{n}" for n in range(12)}
    assert recall_at_cutoff(sorted(relevant)[:10], relevant) == 1


def test_a_query_that_must_find_nothing_scores_only_when_nothing_is_found() -> None:
    assert reciprocal_rank([], ()) == recall_at_cutoff([], ()) == 1
    assert reciprocal_rank(["a"], ()) == recall_at_cutoff(["a"], ()) == 0


def test_figures_average_every_query_and_pass_its_filters_on() -> None:
    engine = ToyEngine({"mug": [1, 2], "pan": [3, 4], "zzz": [5]})
    queries = [LabelledQuery("exact", "mug", ("Mug",)),
               LabelledQuery("filtered", "pan", ("Pan",), category="Kitchen", in_stock=True),
               LabelledQuery("nothing", "zzz", ())]
    names = {1: "Mug", 2: "Cup", 3: "Pot", 4: "Pan", 5: "Zed"}
    found = figures(engine, queries, names, {"Kitchen": 7})
    assert found.mrr == pytest.approx((1 + 0.5 + 0) / 3)
    assert found.recall == pytest.approx((1 + 1 + 0) / 3)
    assert (engine.asked[1].category_id, engine.asked[1].in_stock, engine.asked[1].size) == (
        7, True, 10)


def test_the_labelled_set_has_every_kind_and_names_only_products_of_the_catalog() -> None:
    queries, names = load_queries(), {item.name for item in generate()}
    assert len(queries) >= 60
    assert {q.kind for q in queries} >= {"exact", "prefix", "typo", "two-word", "filtered",
                                          "nothing"}
    assert all(set(q.relevant) <= names for q in queries)
    assert all(q.category in KINDS for q in queries if q.category)


def test_the_generated_catalog_is_the_same_on_every_run() -> None:
    assert generate() == generate()
    assert len({item.name for item in generate()}) == len(generate())
