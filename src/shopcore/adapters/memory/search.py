"""Product search in memory: words folded, scored by hand, facets counted over every match."""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from shopcore.domain.catalog import Product
from shopcore.ports.search import (
    PRICE_BUCKETS,
    CategoryFacet,
    Drift,
    PriceFacet,
    SearchHit,
    SearchQuery,
    SearchResult,
)

_WORD = re.compile(r"[^\W_]+")
EXACT_NAME, ALL_WORDS, LEADING_WORD = 10.0, 2.0, 0.5
NAME_WEIGHT, DESCRIPTION_WEIGHT = 3.0, 1.0
EXACT, PREFIX, TYPO = 1.0, 0.7, 0.5
MIN_PREFIX, MIN_TYPO = 3, 4


def fold(text: str) -> str:
    """Lowercase, accents dropped: 'Café' and 'CAFE' fold alike."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def one_typo(a: str, b: str) -> bool:
    """One insertion, deletion, substitution or transposition of neighbours apart."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = next((i for i, (x, y) in enumerate(zip(short, long, strict=False)) if x != y),
             len(short))
    return short[i:] == long[i + 1:]


def match(word: str, tokens: Sequence[str]) -> float:
    """How well `word` matches the best of `tokens`: exactly, as a prefix, or one typo off."""
    best = 0.0
    for token in tokens:
        if token == word:
            return EXACT
        if len(word) >= MIN_PREFIX and token.startswith(word):
            best = max(best, PREFIX)
        elif len(word) >= MIN_TYPO and one_typo(word, token):
            best = max(best, TYPO)
    return best


@dataclass(frozen=True)
class Document:
    """A product as the index keeps it: folded words, the filters' fields, a fingerprint."""

    product_id: int
    name: str
    name_words: tuple[str, ...]
    description_words: tuple[str, ...]
    price: Decimal
    category_id: int
    category_name: str
    in_stock: bool
    fingerprint: tuple[object, ...]

    @classmethod
    def of(cls, product: Product, category_name: str) -> Document:
        assert product.id is not None
        return cls(product.id, " ".join(words(product.name)), tuple(words(product.name)),
                   tuple(words(product.description)), product.price.amount,
                   product.category_id, category_name, product.in_stock, fingerprint(product))

    def score(self, query_words: Sequence[str], phrase: str) -> float:
        found = [max(NAME_WEIGHT * match(w, self.name_words),
                     DESCRIPTION_WEIGHT * match(w, self.description_words))
                 for w in query_words]
        matched = sum(1 for f in found if f)
        if not matched:
            return 0.0
        score = sum(found) / (1 + 0.05 * len(self.name_words))
        if matched == len(query_words):
            score += ALL_WORDS * matched
        if self.name_words and match(query_words[0], self.name_words[:1]):
            score += LEADING_WORD
        if self.name == phrase:
            score += EXACT_NAME
        return round(score, 6)


def fingerprint(product: Product) -> tuple[object, ...]:
    return (product.name, product.description, product.price.amount, product.category_id,
            product.in_stock)


def _bucket(price: Decimal) -> tuple[Decimal, Decimal | None]:
    low = Decimal("0")
    for high in PRICE_BUCKETS:
        if price < high:
            return low, high
        low = high
    return low, None


def _passes(doc: Document, q: SearchQuery) -> bool:
    return ((q.category_id is None or doc.category_id == q.category_id)
            and (q.min_price is None or doc.price >= q.min_price)
            and (q.max_price is None or doc.price <= q.max_price)
            and (q.in_stock is None or doc.in_stock == q.in_stock))


class MemorySearch:
    """The whole index in a dict; every search scores every product (fine for tests, demos)."""

    name = "memory"
    follows_catalog = False

    def __init__(self) -> None:
        self.documents: dict[int, Document] = {}
        self.lock = threading.Lock()

    def index(self, products: Iterable[Product], category_names: dict[int, str]) -> None:
        docs = [Document.of(p, category_names.get(p.category_id, "")) for p in products]
        with self.lock:
            self.documents.update((d.product_id, d) for d in docs)

    def remove(self, product_ids: Iterable[int]) -> None:
        with self.lock:
            for product_id in product_ids:
                self.documents.pop(product_id, None)

    def search(self, query: SearchQuery) -> SearchResult:
        query_words = words(query.text)
        phrase = " ".join(query_words)
        with self.lock:
            docs = list(self.documents.values())
        scored = [(doc.score(query_words, phrase), doc) for doc in docs
                  if query_words and _passes(doc, query)]
        ranked = sorted(((s, d) for s, d in scored if s > 0),
                        key=lambda pair: (-pair[0], pair[1].product_id))
        start = (query.page - 1) * query.size
        hits = [SearchHit(d.product_id, s) for s, d in ranked[start:start + query.size]]
        return SearchResult(hits, len(ranked), *self._facets([d for _, d in ranked]))

    @staticmethod
    def _facets(docs: Sequence[Document]) -> tuple[list[CategoryFacet], list[PriceFacet]]:
        by_category = Counter(d.category_id for d in docs)
        names = {d.category_id: d.category_name for d in docs}
        categories = [CategoryFacet(c, names[c], n) for c, n in
                      sorted(by_category.items(), key=lambda item: (-item[1], item[0]))]
        by_bucket = Counter(_bucket(d.price) for d in docs)
        prices = [PriceFacet(low, high, n) for (low, high), n in
                  sorted(by_bucket.items(), key=lambda item: item[0][0])]
        return categories, prices

    def rebuild(self, products: Iterable[Product], category_names: dict[int, str]) -> int:
        docs = {d.product_id: d for d in
                (Document.of(p, category_names.get(p.category_id, "")) for p in products)}
        with self.lock:
            self.documents = docs
        return len(docs)

    def drift(self, products: Iterable[Product]) -> Drift:
        with self.lock:
            stored = {i: d.fingerprint for i, d in self.documents.items()}
        missing, stale, known = [], [], set()
        for product in products:
            assert product.id is not None
            known.add(product.id)
            if product.id not in stored:
                missing.append(product.id)
            elif stored[product.id] != fingerprint(product):
                stale.append(product.id)
        return Drift(sorted(missing), sorted(stale), sorted(set(stored) - known))

    def check(self) -> str:
        return "up"
