"""The unit of work: one transaction around one use case, events included."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from shopcore.domain.events import Aggregate
from shopcore.ports.clock import Clock
from shopcore.ports.events import Envelope, OutboxRepository, ProcessedEventRepository, topic_of
from shopcore.ports.repositories import (
    CartRepository,
    CategoryRepository,
    IdempotencyRepository,
    OrderRepository,
    ProductRepository,
    RefreshSessionRepository,
    UserRepository,
)


class UnitOfWork(abc.ABC):
    """Repositories sharing one transaction; rolled back unless committed.

    Aggregates that pass through a repository are tracked; on commit the events they
    recorded go to the outbox in the same transaction, so a rolled-back change leaves none.
    """

    users: UserRepository
    refresh_sessions: RefreshSessionRepository
    categories: CategoryRepository
    products: ProductRepository
    carts: CartRepository
    orders: OrderRepository
    idempotency: IdempotencyRepository
    outbox: OutboxRepository
    processed_events: ProcessedEventRepository
    clock: Clock

    def __init__(self) -> None:
        self.seen: list[Aggregate] = []

    def track(self, aggregate: Aggregate) -> None:
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
        now = self.clock.now()
        for aggregate in self.seen:
            while aggregate.events:
                event = aggregate.events.pop(0)
                sequence = self.outbox.next_sequence(topic_of(event.aggregate), event.key)
                self.outbox.add(Envelope.wrap(event, now, sequence))

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
