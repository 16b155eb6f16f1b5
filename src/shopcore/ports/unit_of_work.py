"""The unit of work: one transaction around one use case, events included."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Protocol, Self

from shopcore.domain.events import Aggregate
from shopcore.ports.clock import Clock
from shopcore.ports.events import Envelope, OutboxRepository, ProcessedEventRepository
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


class UnitOfWork(abc.ABC):
    """Repositories sharing one transaction; rolled back unless committed.

    Aggregates that pass through a repository are tracked, and an added one records its
    creation event; on commit the events they recorded go to the outbox in the same
    transaction, so a rolled-back change leaves none.
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

    def __init__(self) -> None:
        self.seen: list[Aggregate] = []

    def track(self, aggregate: Aggregate, *, new: bool = False) -> None:
        if new:
            aggregate.record_creation()
        if not any(a is aggregate for a in self.seen):
            self.seen.append(aggregate)

    def __enter__(self) -> Self:
        self.seen = []
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.rollback()

    def commit(self) -> None:
        self.store_events()
        self._commit()

    def store_events(self) -> None:
        """Move every recorded event into the outbox, numbered per aggregate."""
        events = [event for aggregate in self.seen for event in aggregate.events]
        for aggregate in self.seen:
            aggregate.events.clear()
        if events:
            now = self.clock.now()
            self.outbox.add_numbered([Envelope.wrap(event, now) for event in events])

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
