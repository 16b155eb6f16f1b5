"""Query text made safe: folded words only, and the words one edit away, for typos."""

from __future__ import annotations

import re
import string
import unicodedata
from functools import lru_cache

WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
PREFIX_MIN = 3
TYPO_MIN, TYPO_MAX = 3, 24
ALPHABET = frozenset(string.ascii_lowercase + string.digits)


def fold(text: str) -> str:
    """Lower case without diacritics, like FTS5's `unicode61 remove_diacritics 2`."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def words(text: str) -> list[str]:
    """The distinct folded words of `text`, letters and digits only, at most MAX_WORDS."""
    return list(dict.fromkeys(WORD.findall(fold(text))))[:MAX_WORDS]


def one_edit_away(word: str) -> set[str]:
    """Every word one deletion, transposition, substitution or insertion from `word`."""
    if not TYPO_MIN <= len(word) <= TYPO_MAX:
        return set()
    letters = ALPHABET | set(word)
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    found = {a + b[1:] for a, b in splits if b}
    found |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    found |= {a + c + b[1:] for a, b in splits if b for c in letters}
    found |= {a + c + b for a, b in splits for c in letters}
    found.discard(word)
    return {w for w in found if len(w) >= 2}


@lru_cache(maxsize=256)
def _accepted(wanted: str) -> tuple[list[str], frozenset[str], tuple[str, ...]]:
    query, _, more = wanted.partition("\t")
    accepted = query.split() + more.split()
    return (query.split(), frozenset(accepted),
            tuple(a for a in accepted if len(a) >= PREFIX_MIN))


def name_match(name: str, wanted: str) -> float:
    """How fully `name` is the query: the share of its words that a wanted word matches
    (exactly, or as a prefix of three letters or more), plus one when it is exactly the query.

    `wanted` is the query's words then, after a tab, the other words they stand for (their
    typos' corrections), all space-separated.
    """
    own = WORD.findall(fold(name))
    if not own:
        return 0.0
    query, exact, prefixes = _accepted(wanted)
    matched = sum(1 for w in own if w in exact or w.startswith(prefixes))
    return matched / len(own) + (1.0 if own == query else 0.0)
