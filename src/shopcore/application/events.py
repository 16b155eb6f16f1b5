"""Events after commit: relay the outbox, handle delivered events once, replay, report."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shopcore.ports.clock import Clock
from shopcore.ports.events import EventPublisher, OutboxStats
from shopcore.ports.unit_of_work import UnitOfWork

EventHandler = Callable[[dict[str, Any]], None]
# A handler whose effects are database writes: it writes through the unit of work it is
# given, which also records the event as processed, so both commit or neither does.
TransactionalHandler = Callable[[dict[str, Any], UnitOfWork], None]


@dataclass(frozen=True)
class RelayResult:
    published: int
    failed: int
    error: str | None = None


@dataclass
class RelayOutbox:
    """Publish the oldest unsent events (one per aggregate per batch, so none overtakes)."""

    new_uow: Callable[[], UnitOfWork]
    publisher: EventPublisher
    clock: Clock

    def __call__(self, *, limit: int = 100) -> RelayResult:
        with self.new_uow() as uow:
            batch = uow.outbox.claim(limit)
            if not batch:
                return RelayResult(0, 0)
            outcome = self.publisher.publish([m.envelope for m in batch])
            sent = [m.id for m in batch if m.envelope.event_id in outcome.delivered]
            unsent = [m.id for m in batch if m.envelope.event_id not in outcome.delivered]
            uow.outbox.mark_published(sent, self.clock.now())
            uow.outbox.mark_failed(unsent, outcome.error or "not acknowledged")
            uow.commit()
        return RelayResult(len(sent), len(unsent), outcome.error if unsent else None)


@dataclass
class HandleEvent:
    """Run the handlers for a delivered event unless this consumer already did.

    `handlers` act outside the database (e.g. a search index) and run again if a crash
    comes before the commit; `in_transaction` handlers write in the same transaction that
    records the event as processed, so their effect happens exactly once.
    """

    uow: UnitOfWork
    handlers: Sequence[EventHandler]
    clock: Clock
    in_transaction: Sequence[TransactionalHandler] = ()

    def __call__(self, *, consumer: str, message: dict[str, Any]) -> bool:
        event_id = str(message.get("event_id", ""))
        with self.uow:
            if event_id and self.uow.processed_events.seen(consumer, event_id):
                return False
        for handler in self.handlers:
            handler(message)
        with self.uow:
            # Claimed first: a concurrent claim of the same event waits on this one's commit.
            if event_id and not self.uow.processed_events.add(consumer, event_id,
                                                              self.clock.now()):
                return False
            for transactional in self.in_transaction:
                transactional(message, self.uow)
            self.uow.commit()
        return True


@dataclass
class ReplayEvents:
    """Publish stored events again (consumers drop the ones they already handled)."""

    uow: UnitOfWork
    publisher: EventPublisher

    def __call__(self, *, since: datetime, topics: Sequence[str] | None = None,
                 batch: int = 500) -> RelayResult:
        with self.uow:
            messages = self.uow.outbox.since(since, topics)
        published, failed, error = 0, 0, None
        for start in range(0, len(messages), batch):
            chunk = [m.envelope for m in messages[start:start + batch]]
            outcome = self.publisher.publish(chunk)
            published += len(outcome.delivered)
            failed += len(chunk) - len(outcome.delivered)
            error = outcome.error or error
        return RelayResult(published, failed, error)


@dataclass
class OutboxStatus:
    """How far behind the relay is."""

    uow: UnitOfWork

    def __call__(self) -> OutboxStats:
        with self.uow:
            return self.uow.outbox.stats()
