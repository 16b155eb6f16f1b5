"""The labelled queries, and MRR and recall@10 of an engine over them."""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from shopcore.ports.search import ProductSearch, SearchQuery

QUERIES = Path(__file__).with_name("queries.json")
CUTOFF = 10


@dataclass(frozen=True)
class LabelledQuery:
    """A query, its filters (the category by name) and the names of the products it means."""

    kind: str
    text: str
    relevant: tuple[str, ...]
    category: str | None = None
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool | None = None

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> LabelledQuery:
        price = {key: Decimal(data[key]) for key in ("min_price", "max_price") if key in data}
        return cls(kind=data["kind"], text=data["text"], relevant=tuple(data["relevant"]),
                   category=data.get("category"), in_stock=data.get("in_stock"), **price)

    def search_query(self, category_ids: Mapping[str, int]) -> SearchQuery:
        return SearchQuery(self.text, size=CUTOFF, min_price=self.min_price,
                           max_price=self.max_price, in_stock=self.in_stock,
                           category_id=category_ids[self.category] if self.category else None)


@dataclass(frozen=True)
class Figures:
    """Mean reciprocal rank and mean recall@10 over a query set."""

    mrr: float
    recall: float
    queries: int


def load_queries(path: Path = QUERIES) -> list[LabelledQuery]:
    return [LabelledQuery.of(item) for item in json.loads(path.read_text())["queries"]]


def reciprocal_rank(found: Sequence[str], relevant: Collection[str]) -> float:
    """1/rank of the first relevant result in the top 10; a must-find-nothing query scores
    1 when nothing is found."""
    if not relevant:
        return 0.0 if found else 1.0
    return next((1 / rank for rank, name in enumerate(found[:CUTOFF], 1) if name in relevant),
                0.0)


def recall_at_cutoff(found: Sequence[str], relevant: Collection[str]) -> float:
    """The share of the relevant products in the top 10 (of at most 10 of them)."""
    if not relevant:
        return 0.0 if found else 1.0
    return len(set(found[:CUTOFF]) & set(relevant)) / min(len(relevant), CUTOFF)


def figures(engine: ProductSearch, queries: Sequence[LabelledQuery],
            names_by_id: Mapping[int, str], category_ids: Mapping[str, int]) -> Figures:
    """Run every query on `engine` and average its reciprocal ranks and recalls."""
    ranks, recalls = [], []
    for query in queries:
        hits = engine.search(query.search_query(category_ids)).hits
        found = [names_by_id[hit.product_id] for hit in hits]
        ranks.append(reciprocal_rank(found, query.relevant))
        recalls.append(recall_at_cutoff(found, query.relevant))
    return Figures(sum(ranks) / len(ranks), sum(recalls) / len(recalls), len(queries))
