"""The unit of work: one transaction around one use case, events included."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from shopcore.domain.events import Aggregate, DomainEvent
from shopcore.ports.clock import Clock
from shopcore.ports.events import (
    Envelope,
    OutboxRepository,
    ProcessedEventRepository,
    correlation_id,
)
from shopcore.ports.repositories import (
    CartRepository,
    CategoryRepository,
    IdempotencyRepository,
    OrderRepository,
    PaymentRepository,
    ProductRepository,
    RefreshSessionRepository,
    UserRepository,
)


class Track(Protocol):
    """How a repository hands the unit of work an aggregate; `new` once `add` gave its id."""

    def __call__(self, aggregate: Aggregate, *, new: bool = False) -> None: ...


class CommitListener(Protocol):
    """Told, after a commit, the events it stored; caches are dropped here, never before."""

    def committed(self, events: Sequence[DomainEvent]) -> None: ...


class UnitOfWork(abc.ABC):
    """Repositories sharing one transaction; rolled back unless committed.

    Aggregates that pass through a repository are tracked, and an added one records its
    creation event; on commit the events they recorded go to the outbox in the same
    transaction, so a rolled-back change leaves none. A database that cannot be reached
    (down, restarting, no connection free in time) raises StorageUnavailable.
    """

    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    categories: CategoryRepository
    products: ProductRepository
    carts: CartRepository
    orders: OrderRepository
    payments: PaymentRepository
    idempotency: IdempotencyRepository
    outbox: OutboxRepository
    processed_events: ProcessedEventRepository
    clock: Clock
    listeners: Sequence[CommitListener] = ()

    def __init__(self) -> None:
        # Keyed by identity: a load of many aggregates in one transaction stays linear.
        self.seen: dict[int, Aggregate] = {}

    def track(self, aggregate: Aggregate, *, new: bool = False) -> None:
        if new:
            aggregate.record_creation()
        self.seen.setdefault(id(aggregate), aggregate)

    def __enter__(self) -> Self:
        self.seen = {}
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        events = [event for aggregate in self.seen.values() for event in aggregate.events]
        self.store_events()
        self._commit()
        for listener in self.listeners:
            listener.committed(events)

    def store_events(self) -> None:
        """Move every recorded event into the outbox, numbered per aggregate."""
        events = [event for aggregate in self.seen.values() for event in aggregate.events]
        for aggregate in self.seen.values():
            aggregate.events.clear()
        if events:
            now, cause = self.clock.now(), correlation_id.get()
            self.outbox.add_numbered([Envelope.wrap(event, now, 0, cause) for event in events])

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
