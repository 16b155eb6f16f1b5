"""A unit of work over the in-memory store: all or nothing, one at a time."""

from __future__ import annotations

from typing import Self

from shopcore.adapters.memory.repositories import (
    MemoryCategoryRepository,
    MemoryProductRepository,
    MemoryRefreshSessionRepository,
    MemoryUserRepository,
)
from shopcore.adapters.memory.store import MemoryStore, Tables
from shopcore.ports.unit_of_work import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):
    """Works on a private copy of the store and publishes it on commit."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.working: Tables | None = None

    def _open(self, tables: Tables) -> None:
        self.working = tables
        self.users = MemoryUserRepository(tables)
        self.refresh_sessions = MemoryRefreshSessionRepository(tables)
        self.categories = MemoryCategoryRepository(tables)
        self.products = MemoryProductRepository(tables)

    def __enter__(self) -> Self:
        self._open(self.store.begin())
        return self

    def __exit__(self, *args: object) -> None:
        self.working = None
        self.store.end()

    def commit(self) -> None:
        assert self.working is not None, "commit outside a transaction"
        self.store.commit(self.working)

    def rollback(self) -> None:
        if self.working is not None:
            self._open(self.store.snapshot())
