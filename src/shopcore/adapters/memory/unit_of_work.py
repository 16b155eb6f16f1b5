"""A unit of work over the in-memory store: all or nothing, one at a time."""

from __future__ import annotations

from typing import Self

from shopcore.adapters.clock import SystemClock
from shopcore.adapters.memory.carts import MemoryCartRepository
from shopcore.adapters.memory.catalog import MemoryCategoryRepository, MemoryProductRepository
from shopcore.adapters.memory.idempotency import MemoryIdempotencyRepository
from shopcore.adapters.memory.orders import MemoryOrderRepository
from shopcore.adapters.memory.outbox import MemoryOutboxRepository, MemoryProcessedEventRepository
from shopcore.adapters.memory.payments import MemoryPaymentRepository
from shopcore.adapters.memory.store import MemoryStore, Tables
from shopcore.adapters.memory.users import MemoryRefreshSessionRepository, MemoryUserRepository
from shopcore.ports.clock import Clock
from shopcore.ports.unit_of_work import UnitOfWork


class MemoryUnitOfWork(UnitOfWork):
    """Works on a private copy of the store and publishes it on commit."""

    def __init__(self, store: MemoryStore, clock: Clock | None = None) -> None:
        super().__init__()
        self.store = store
        self.clock = clock or SystemClock()
        self.working: Tables | None = None

    def _open(self, tables: Tables) -> None:
        self.working = tables
        self.users = MemoryUserRepository(tables, self.track)
        self.refresh_sessions = MemoryRefreshSessionRepository(tables)
        self.categories = MemoryCategoryRepository(tables)
        self.products = MemoryProductRepository(tables, self.track)
        self.carts = MemoryCartRepository(tables, self.track)
        self.orders = MemoryOrderRepository(tables, self.track)
        self.payments = MemoryPaymentRepository(tables, self.track)
        self.idempotency = MemoryIdempotencyRepository(tables)
        self.outbox = MemoryOutboxRepository(tables)
        self.processed_events = MemoryProcessedEventRepository(tables)

    def __enter__(self) -> Self:
        super().__enter__()
        self._open(self.store.begin())
        return self

    def __exit__(self, *args: object) -> None:
        self.working = None
        self.store.end()

    def _commit(self) -> None:
        assert self.working is not None, "commit outside a transaction"
        self.store.commit(self.working)

    def rollback(self) -> None:
        if self.working is not None:
            self._open(self.store.snapshot())
