"""Keeping the search index in step with the catalog: rebuild, drift check, change events."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from shopcore.domain.catalog import Product, ProductQuery
from shopcore.domain.errors import SearchUnavailable
from shopcore.domain.events import ProductChanged
from shopcore.domain.pagination import MAX_PAGE_SIZE, PageRequest
from shopcore.ports.search import Drift, ProductSearch
from shopcore.ports.unit_of_work import UnitOfWork

NewUow = Callable[[], UnitOfWork]


def category_names(new_uow: NewUow) -> dict[int, str]:
    with new_uow() as uow:
        return {c.id: c.name for c in uow.categories.all() if c.id is not None}


def catalog(new_uow: NewUow, progress: Callable[[int], None] | None = None,
            batch: int = MAX_PAGE_SIZE) -> Iterator[Product]:
    """Every product, by id, one short transaction per batch."""
    number = 1
    while True:
        with new_uow() as uow:
            items, _ = uow.products.list(ProductQuery(), PageRequest(number, batch))
        yield from items
        if progress is not None and items:
            progress(len(items))
        if len(items) < batch:
            return
        number += 1


def engines(search: ProductSearch, fallback: ProductSearch | None) -> list[ProductSearch]:
    """The fallback first: it stays fresh even while the main engine is down."""
    return [search] if fallback is None else [fallback, search]


@dataclass
class RebuildSearchIndex:
    """Replace the whole index with the catalog, read in batches; the number indexed."""

    new_uow: NewUow
    search: ProductSearch
    fallback: ProductSearch | None = None

    def __call__(self, *, progress: Callable[[int], None] | None = None) -> int:
        names = category_names(self.new_uow)
        indexed = 0
        for engine in engines(self.search, self.fallback):
            shown = progress if engine is self.search else None
            indexed = engine.rebuild(catalog(self.new_uow, shown), names)
        return indexed


@dataclass
class CheckSearchIndex:
    """How the index differs from the catalog: products missing, stale or extra."""

    new_uow: NewUow
    search: ProductSearch
    pending: DeferredIndexing | None = None

    def __call__(self) -> Drift:
        if self.pending is not None:
            self.pending.flush()
        return self.search.drift(catalog(self.new_uow))


@dataclass
class IndexProductChanges:
    """An event handler: a changed product is indexed again as it now is, a gone one removed.

    It reads the product rather than the event, so late or repeated events do no harm.
    """

    new_uow: NewUow
    search: ProductSearch
    fallback: ProductSearch | None = None

    def __call__(self, message: dict[str, Any]) -> None:
        if message.get("type") != ProductChanged.type:
            return
        self.refresh([int(message["payload"]["product_id"])])

    def refresh(self, product_ids: Iterable[int]) -> None:
        fed = [e for e in engines(self.search, self.fallback) if not e.follows_catalog]
        if not fed:
            return
        product_ids = sorted(product_ids)
        with self.new_uow() as uow:
            found = uow.products.get_many(product_ids)
            wanted = {p.category_id for p in found.values()}
            names = {c.id: c.name for c in uow.categories.all() if c.id in wanted}
        gone = [i for i in product_ids if i not in found]
        for engine in fed:
            if found:
                engine.index(found.values(), names)
            if gone:
                engine.remove(gone)


@dataclass
class DeferredIndexing:
    """The in-process handler: notes changed ids, indexed by `flush` before the next search.

    The in-process bus runs handlers inside the relay's transaction, where SQLite's write
    lock would make a handler that reads the catalog wait on itself.
    """

    index: IndexProductChanges
    pending: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, message: dict[str, Any]) -> None:
        if message.get("type") == ProductChanged.type:
            with self.lock:
                self.pending.add(int(message["payload"]["product_id"]))

    def flush(self) -> None:
        """Index what changed since the last flush; on failure keep it for the next one."""
        with self.lock:
            taken, self.pending = self.pending, set()
        if not taken:
            return
        try:
            self.index.refresh(taken)
        except SearchUnavailable:
            with self.lock:
                self.pending |= taken
            raise
