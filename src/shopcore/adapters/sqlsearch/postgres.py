"""PostgreSQL full-text search: a weighted tsvector, ts_rank_cd, prefixes and trigram typos."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import text

from shopcore.adapters.sqlsearch.common import ALL_WORDS_BONUS, Fetch, SqlSearch
from shopcore.adapters.sqlsearch.text import PREFIX_MIN, one_edit_away

# ts_rank_cd weighs D, C, B (the description) and A (the name) as {0.05, 0.1, 0.2, 1.0};
# the name's trigram similarity to the query ranks the exact name first. The matching rows
# (the GIN index's, or the ids near by trigrams) are scored where they are found, not re-read.
MATCHES = """
SELECT p.id AS id, ts_rank_cd('{0.05, 0.1, 0.2, 1.0}', p.search_vector, q.qs, 1)
    + similarity(shopcore_fold(p.name), :text)
    + CASE WHEN :several AND p.search_vector @@ q.qe THEN :bonus ELSE 0 END AS score
FROM products p,
     (SELECT to_tsquery('simple', shopcore_fold(:any)) AS qs,
             to_tsquery('simple', shopcore_fold(:all)) AS qe) AS q
WHERE p.search_vector @@ to_tsquery('simple', shopcore_fold(:any))
   OR p.id = ANY(CAST(:near AS bigint[]))"""
MATCHED = """
SELECT id FROM products WHERE search_vector @@ to_tsquery('simple', shopcore_fold(:any))
   OR id = ANY(CAST(:near AS bigint[]))"""
ANY_MATCH = ("SELECT 1 FROM products"
             " WHERE search_vector @@ to_tsquery('simple', shopcore_fold(:q)) LIMIT 1")
# One GIN look-up for every variant at once, then the lexemes of the few rows it finds.
KNOWN_LEXEMES = """
SELECT DISTINCT t.lexeme FROM products, unnest(search_vector) AS t
WHERE search_vector @@ to_tsquery('simple', :variants) AND t.lexeme = ANY(CAST(:vs AS text[]))"""
# Names near an unknown word by trigrams, beyond one edit (the GIN trgm index answers it).
NEAR_NAMES = "SELECT id FROM products WHERE shopcore_fold(name) %> :word"
INDEXED = "SELECT id FROM products WHERE length(search_vector) > 0"


def _lexeme(word: str) -> str:
    # Words hold letters and digits only; quoted, none can be read as a tsquery operator.
    return f"'{word}'"


class PostgresSearch(SqlSearch):
    """Products ranked by ts_rank_cd (name 'A' over description 'B') plus name similarity."""

    name = "postgres"
    probe = "SELECT id FROM products WHERE search_vector IS NULL LIMIT 1"

    @contextmanager
    def _session(self) -> Iterator[Fetch]:
        with self.engine.connect() as connection:
            # The planner prices a tsquery of many alternatives (prefixes, typos) far above
            # its GIN scan and reads the whole table instead; this transaction only searches.
            connection.execute(text("SET LOCAL enable_seqscan = off"))

            def fetch(sql: str, params: dict[str, Any]) -> list[Any]:
                return list(connection.execute(text(sql), params).all())

            yield fetch

    def _group(self, fetch: Fetch, word: str, near: set[int]) -> str:
        """The word, its prefix, and when neither is indexed the lexemes one edit away."""
        found = [_lexeme(word)]
        if len(word) >= PREFIX_MIN:
            found.append(f"{_lexeme(word)}:*")
        if not fetch(ANY_MATCH, {"q": " | ".join(found)}):
            if variants := sorted(one_edit_away(word)):
                known = fetch(KNOWN_LEXEMES, {"vs": variants,
                                              "variants": " | ".join(map(_lexeme, variants))})
                found += [_lexeme(v) for (v,) in known]
            near |= {int(i) for (i,) in fetch(NEAR_NAMES, {"word": word})}
        return "(" + " | ".join(found) + ")"

    def _matches(self, fetch: Fetch, terms: list[str]) -> tuple[str, str, dict[str, Any]]:
        near: set[int] = set()
        groups = [self._group(fetch, word, near) for word in terms]
        return MATCHES, MATCHED, {"any": " | ".join(groups), "all": " & ".join(groups),
                         "several": len(groups) > 1, "bonus": ALL_WORDS_BONUS,
                         "text": " ".join(terms), "near": sorted(near)}

    def _indexed_ids(self, fetch: Fetch) -> set[int]:
        return {int(i) for (i,) in fetch(INDEXED, {})}
