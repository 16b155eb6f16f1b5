"""Catalog reads through the cache, and the version moved on by every catalog change."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from shopcore.domain.events import DomainEvent, ProductChanged
from shopcore.ports.catalog_cache import CatalogCache


@dataclass
class ReadThroughCatalog:
    """The cached answer to a catalog read, else `build`'s (None: not to be cached).

    The version is read before the database, so an answer read before a change is stored
    under the version that change left behind, where no reader looks any more.
    """

    cache: CatalogCache

    def __call__(self, key: str, build: Callable[[], bytes | None]) -> bytes | None:
        read = self.cache.get(key)
        if read.value is not None:
            return read.value
        value = build()
        if value is not None:
            self.cache.put(key, value, read.version)
        return value


@dataclass
class CatalogChanged:
    """Moves the catalog version on after a commit that stored a `product.changed`.

    Also an event handler, run after the search handler, so an engine fed by events (one
    that does not follow the catalog) drops the answers it gave before it was up to date.
    """

    cache: CatalogCache

    def committed(self, events: Sequence[DomainEvent]) -> None:
        if any(isinstance(event, ProductChanged) for event in events):
            self.cache.bump()

    def __call__(self, message: dict[str, Any]) -> None:
        if message.get("type") == ProductChanged.type:
            self.cache.bump()
