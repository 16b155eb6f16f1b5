"""The index's settings and mapping, and the document (with its fingerprint) of a product.

Prices are stored as whole cents in a `long` (the catalog allows two places at most), so
filters and the price buckets compare integers and never meet a float's rounding.
"""

from __future__ import annotations

import hashlib
import json
import math
from decimal import Decimal
from typing import Any

from shopcore.domain.catalog import Product

TEXT = "shop_text"
PREFIX = "shop_prefix"
MIN_GRAM, MAX_GRAM = 2, 20

ANALYSIS: dict[str, Any] = {
    "filter": {
        "shop_edge_ngram": {"type": "edge_ngram", "min_gram": MIN_GRAM, "max_gram": MAX_GRAM},
    },
    "analyzer": {
        TEXT: {"type": "custom", "tokenizer": "standard",
               "filter": ["lowercase", "asciifolding"]},
        PREFIX: {"type": "custom", "tokenizer": "standard",
                 "filter": ["lowercase", "asciifolding", "shop_edge_ngram"]},
    },
}

MAPPING: dict[str, Any] = {
    "dynamic": "strict",
    "properties": {
        "id": {"type": "long"},
        "name": {
            "type": "text", "analyzer": TEXT,
            # Indexed as every leading n-gram, searched as whole words: "lap" finds "laptop".
            "fields": {"prefix": {"type": "text", "analyzer": PREFIX, "search_analyzer": TEXT}},
        },
        "description": {"type": "text", "analyzer": TEXT},
        "category_id": {"type": "integer"},
        "category_name": {"type": "keyword"},
        "price_cents": {"type": "long"},
        "in_stock": {"type": "boolean"},
        "fingerprint": {"type": "keyword", "index": False, "doc_values": False},
    },
}

# One shard: term statistics (and so BM25 scores) are then the whole catalog's, not a shard's.
INDEX_BODY: dict[str, Any] = {
    "settings": {"number_of_shards": 1, "analysis": ANALYSIS},
    "mappings": MAPPING,
}


def cents(amount: Decimal, *, round_up: bool = False) -> int:
    """An amount in whole cents; a bound with more places rounds inwards when asked."""
    scaled = amount * 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def fingerprint(product: Product) -> str:
    """A hash of every indexed field of the product, to tell a stale document."""
    fields = [product.id, product.name, product.description, product.category_id,
              cents(product.price.amount), product.in_stock]
    return hashlib.sha256(json.dumps(fields).encode()).hexdigest()[:32]


def document_of(product: Product, category_name: str) -> dict[str, Any]:
    """The product as the index stores it."""
    return {
        "id": product.id, "name": product.name, "description": product.description,
        "category_id": product.category_id, "category_name": category_name,
        "price_cents": cents(product.price.amount), "in_stock": product.in_stock,
        "fingerprint": fingerprint(product),
    }
