"""The catalog read cache: whole answers, written after commit, dropped by every change."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CatalogRead:
    """What a read found (None: a miss) and the catalog version to hand back to `put`.

    An empty version means the cache cannot tell the current one (its store is down):
    the reader answers from the database and stores nothing.
    """

    value: bytes | None
    version: str


class CatalogCache(Protocol):
    """Answers of catalog reads (product pages and items, categories, searches) by key.

    Every entry belongs to the catalog version that was current when its reader started:
    a reader calls `get(key)`, and on a miss builds the answer from the database and calls
    `put(key, value, read.version)`. `bump()` moves the version on; writers call it after
    every commit that changed a product or a category, so no `get` returns an answer read
    before that commit. Entries expire on their own after a time-to-live. When the store is
    down, `get` answers a miss with an empty version, `put` stores nothing and `bump` is
    retried before the next call: a read then costs the database, never an error.
    """

    def get(self, key: str) -> CatalogRead: ...
    def put(self, key: str, value: bytes, version: str) -> None: ...
    def bump(self) -> None: ...
    def check(self) -> str:
        """'up', 'down' or 'disabled', quickly, for readiness."""
        ...
