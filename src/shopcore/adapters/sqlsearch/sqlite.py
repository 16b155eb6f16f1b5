"""SQLite FTS5 search: BM25 over an external-content index kept by triggers, in the same file."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from shopcore.adapters.sqlsearch.common import ALL_WORDS_BONUS, DOWN, Fetch, SqlSearch
from shopcore.adapters.sqlsearch.text import PREFIX_MIN, name_match, one_edit_away
from shopcore.domain.catalog import Product
from shopcore.domain.errors import SearchUnavailable

# bm25() weighs the name ten times the description. A name made of the query's words adds up
# to 2 x 5: in a small catalog BM25 alone cannot rank it first, as a common word weighs nothing.
MATCHES = """
SELECT p.id AS id,
    -bm25(products_fts, 10.0, 1.0) + 5.0 * shopcore_name_match(p.name, :wanted)
    + CASE WHEN :several AND p.id IN (SELECT rowid FROM products_fts WHERE products_fts MATCH :all)
      THEN :bonus ELSE 0.0 END AS score
FROM products_fts JOIN products p ON p.id = products_fts.rowid
WHERE products_fts MATCH :any"""
MATCHED = "SELECT rowid AS id FROM products_fts WHERE products_fts MATCH :any"
ANY_MATCH = "SELECT 1 FROM products_fts WHERE products_fts MATCH :m LIMIT 1"
KNOWN_TERMS = "SELECT term FROM products_fts_terms WHERE term IN (SELECT value FROM json_each(:vs))"
INDEXED = "SELECT DISTINCT doc FROM products_fts_instances"
REBUILD = "INSERT INTO products_fts(products_fts) VALUES ('rebuild')"


def _quoted(word: str) -> str:
    # Words hold letters and digits only; quoting keeps FTS5 from reading any as an operator.
    return f'"{word}"'


class SqliteSearch(SqlSearch):
    """Products ranked by FTS5's BM25, the name above the description; typos by vocabulary."""

    name = "sqlite"
    probe = "SELECT rowid FROM products_fts LIMIT 1"

    @contextmanager
    def _session(self) -> Iterator[Fetch]:
        # A plain deferred read transaction: the engine's BEGIN IMMEDIATE would queue every
        # search behind writers and behind each other.
        connection = self.engine.raw_connection()
        driver: Any = connection.driver_connection
        cursor = connection.cursor()
        try:
            driver.create_function("shopcore_name_match", 2, name_match, deterministic=True)
            cursor.execute("BEGIN")

            def fetch(sql: str, params: dict[str, Any]) -> list[Any]:
                cursor.execute(sql, params)
                return list(cursor.fetchall())

            yield fetch
        finally:
            if driver.in_transaction:
                cursor.execute("ROLLBACK")
            cursor.close()
            connection.close()

    def _alternatives(self, fetch: Fetch, word: str) -> list[str]:
        """The word, its prefix, and when neither is indexed the indexed words one edit away."""
        found = [_quoted(word)]
        if len(word) >= PREFIX_MIN:
            found.append(f"{_quoted(word)}*")
        if not fetch(ANY_MATCH, {"m": " OR ".join(found)}):
            variants = json.dumps(sorted(one_edit_away(word)))
            found += [_quoted(term) for (term,) in fetch(KNOWN_TERMS, {"vs": variants})]
        return found

    def _matches(self, fetch: Fetch, terms: list[str]) -> tuple[str, str, dict[str, Any]]:
        alternatives = [self._alternatives(fetch, word) for word in terms]
        groups = ["(" + " OR ".join(found) + ")" for found in alternatives]
        corrections = {a.strip('"*') for found in alternatives for a in found} - set(terms)
        return MATCHES, MATCHED, {"any": " OR ".join(groups), "all": " AND ".join(groups),
                         "several": len(groups) > 1, "bonus": ALL_WORDS_BONUS,
                         "wanted": " ".join(terms) + "\t" + " ".join(sorted(corrections))}

    def _indexed_ids(self, fetch: Fetch) -> set[int]:
        return {int(doc) for (doc,) in fetch(INDEXED, {})}

    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        """FTS5's own 'rebuild' reads every row of products again; `products` are not needed."""
        try:
            with self.engine.begin() as connection:
                connection.exec_driver_sql(REBUILD)
        except DOWN as exc:
            raise SearchUnavailable(f"The sqlite search could not rebuild: {exc}") from exc
        return super().rebuild(products, category_names)
