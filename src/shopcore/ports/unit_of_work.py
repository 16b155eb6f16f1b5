"""The unit of work: one transaction around one use case, events included."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from types import TracebackType
from typing import Protocol, Self

from shopcore.domain.events import Aggregate, DomainEvent
from shopcore.ports.clock import Clock
from shopcore.ports.events import Envelope, OutboxRepository, ProcessedEventRepository, topic_of
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
    listeners: Sequence[CommitListener] = ()

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
        events = [event for aggregate in self.seen for event in aggregate.events]
        self.store_events()
        self._commit()
        for listener in self.listeners:
            listener.committed(events)

    def store_events(self) -> None:
        """Move every recorded event into the outbox, numbered per aggregate."""
        events = [event for aggregate in self.seen for event in aggregate.events]
        for aggregate in self.seen:
            aggregate.events.clear()
        if not events:
            return
        keys: dict[str, dict[str, None]] = {}
        for event in events:
            keys.setdefault(topic_of(event.aggregate), {})[event.key] = None
        following = {(topic, key): n for topic, of_topic in keys.items()
                     for key, n in self.outbox.next_sequences(topic, list(of_topic)).items()}
        now, envelopes = self.clock.now(), []
        for event in events:
            where = (topic_of(event.aggregate), event.key)
            envelopes.append(Envelope.wrap(event, now, following[where]))
            following[where] += 1
        self.outbox.add_many(envelopes)

    @abc.abstractmethod
    def _commit(self) -> None: ...

    @abc.abstractmethod
    def rollback(self) -> None: ...
