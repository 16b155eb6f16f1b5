"""The names of what migration 0007 adds for search, beside the tables `tables.py` declares."""

from __future__ import annotations

FTS_TABLE = "products_fts"
FTS_TERMS = "products_fts_terms"
FTS_INSTANCES = "products_fts_instances"
SEARCH_VECTOR = "search_vector"
FOLD_FUNCTION = "shopcore_fold"

# SQLite: the external-content FTS5 table, its shadow tables, its vocabularies and triggers.
SQLITE_ARTIFACTS = frozenset({
    FTS_TABLE, FTS_TERMS, FTS_INSTANCES,
    *(f"{FTS_TABLE}_{shadow}" for shadow in ("data", "idx", "docsize", "config")),
    "products_fts_after_insert", "products_fts_after_update", "products_fts_after_delete",
})
# PostgreSQL: the generated column on products, its indexes and the folding function.
POSTGRES_ARTIFACTS = frozenset({
    SEARCH_VECTOR, "ix_products_search_vector", "ix_products_name_trgm", FOLD_FUNCTION,
})
SEARCH_ARTIFACTS = SQLITE_ARTIFACTS | POSTGRES_ARTIFACTS
