"""The outbox and processed-events tables on SQLAlchemy."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Integer,
    and_,
    bindparam,
    exists,
    func,
    insert,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import aliased

from shopcore.adapters.sqlalchemy.mappers import aware
from shopcore.adapters.sqlalchemy.prepared import Prepared
from shopcore.adapters.sqlalchemy.tables import outbox, processed_events
from shopcore.ports.events import Envelope, OutboxMessage, OutboxStats, numbered

MAX_ERROR = 2000
_KEYS_PER_QUERY = 500
_NUMBERED_IN_ONE = 64


_NUMBERED = ("event_id", "type", "version", "topic", "key", "occurred_at", "payload",
             "correlation_id")


@functools.cache
def _numbered_insert(rows: int) -> Prepared:
    """INSERT of `rows` envelopes, each numbered after the last of its key (compiled once).

    An INSERT ... SELECT of UNION ALL rather than multi-row VALUES, which SQLAlchemy does
    not cache: that one compiled afresh on every commit.
    """
    return Prepared(lambda _: _numbered_statement(rows))


def _numbered_statement(rows: int) -> Any:
    def row(n: int) -> Any:
        last = (select(func.coalesce(func.max(outbox.c.sequence), 0))
                .where(outbox.c.topic == bindparam(f"topic_{n}", type_=outbox.c.topic.type),
                       outbox.c.key == bindparam(f"key_{n}", type_=outbox.c.key.type))
                .scalar_subquery())
        named = [bindparam(f"{c}_{n}", type_=outbox.c[c].type).label(c) for c in _NUMBERED]
        return select(*named, (last + bindparam(f"offset_{n}", type_=Integer())).label("sequence"))

    source: Any = row(0) if rows == 1 else union_all(*(row(n) for n in range(rows)))
    columns: list[str] = [*_NUMBERED, "sequence"]
    return insert(outbox).from_select(columns, source)


def _message(row: Any) -> OutboxMessage:
    envelope = Envelope(event_id=row.event_id, type=row.type, version=row.version,
                        occurred_at=aware(row.occurred_at), key=row.key, payload=row.payload,
                        topic=row.topic, sequence=row.sequence,
                        correlation_id=row.correlation_id)
    return OutboxMessage(id=row.id, envelope=envelope, attempts=row.attempts,
                         published_at=aware(row.published_at) if row.published_at else None,
                         last_error=row.last_error)


class SqlOutboxRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection
        self.postgres = connection.dialect.name == "postgresql"

    def add(self, envelope: Envelope) -> None:
        self.add_many([envelope])

    def add_many(self, envelopes: Sequence[Envelope]) -> None:
        if envelopes:
            self.c.execute(insert(outbox), [
                {"event_id": e.event_id, "type": e.type, "version": e.version,
                 "topic": e.topic, "key": e.key, "sequence": e.sequence,
                 "occurred_at": e.occurred_at, "payload": e.payload,
                 "correlation_id": e.correlation_id} for e in envelopes])

    def add_numbered(self, envelopes: Sequence[Envelope]) -> None:
        """A few envelopes in one INSERT that numbers each row itself; many as add_many does."""
        if len(envelopes) > _NUMBERED_IN_ONE:
            self.add_many(numbered(envelopes, self.next_sequences))
            return
        if not envelopes:
            return
        values: dict[str, Any] = {}
        offsets: dict[tuple[str, str], int] = {}
        for n, e in enumerate(envelopes):
            where = (e.topic, e.key)
            offsets[where] = offsets.get(where, 0) + 1
            values.update({f"event_id_{n}": e.event_id, f"type_{n}": e.type,
                           f"version_{n}": e.version, f"topic_{n}": e.topic, f"key_{n}": e.key,
                           f"offset_{n}": offsets[where], f"occurred_at_{n}": e.occurred_at,
                           f"payload_{n}": e.payload, f"correlation_id_{n}": e.correlation_id})
        _numbered_insert(len(envelopes)).run(self.c, values)

    def next_sequence(self, topic: str, key: str) -> int:
        return self.next_sequences(topic, [key])[key]

    def next_sequences(self, topic: str, keys: Sequence[str]) -> dict[str, int]:
        last = dict.fromkeys(keys, 0)
        wanted = list(last)
        for start in range(0, len(wanted), _KEYS_PER_QUERY):
            rows = self.c.execute(
                select(outbox.c.key, func.max(outbox.c.sequence))
                .where(outbox.c.topic == topic,
                       outbox.c.key.in_(wanted[start:start + _KEYS_PER_QUERY]))
                .group_by(outbox.c.key))
            last.update({key: int(n) for key, n in rows})
        return {key: n + 1 for key, n in last.items()}

    def claim(self, limit: int) -> Sequence[OutboxMessage]:
        earlier = aliased(outbox)
        statement = (
            select(outbox)
            .where(outbox.c.published_at.is_(None),
                   ~exists().where(and_(earlier.c.topic == outbox.c.topic,
                                        earlier.c.key == outbox.c.key,
                                        earlier.c.sequence < outbox.c.sequence,
                                        earlier.c.published_at.is_(None))))
            .order_by(outbox.c.id)
            .limit(limit))
        if self.postgres:
            statement = statement.with_for_update(skip_locked=True, of=outbox)
        return [_message(r) for r in self.c.execute(statement)]

    def mark_published(self, ids: Sequence[int], at: datetime) -> None:
        if ids:
            self.c.execute(update(outbox).where(outbox.c.id.in_(list(ids)))
                           .values(published_at=at, attempts=outbox.c.attempts + 1))

    def mark_failed(self, ids: Sequence[int], error: str) -> None:
        if ids:
            self.c.execute(update(outbox).where(outbox.c.id.in_(list(ids)))
                           .values(attempts=outbox.c.attempts + 1, last_error=error[:MAX_ERROR]))

    def stats(self) -> OutboxStats:
        unsent = outbox.c.published_at.is_(None)
        count, oldest = self.c.execute(
            select(func.count(), func.min(outbox.c.occurred_at)).where(unsent)).one()
        published = self.c.scalar(select(func.count()).where(~unsent).select_from(outbox))
        last_error = self.c.scalar(select(outbox.c.last_error)
                                   .where(unsent, outbox.c.last_error.is_not(None))
                                   .order_by(outbox.c.id.desc()).limit(1))
        return OutboxStats(unsent=int(count), oldest_unsent=aware(oldest) if oldest else None,
                           last_error=last_error, published=int(published or 0))

    def since(self, moment: datetime, topics: Sequence[str] | None = None
              ) -> Sequence[OutboxMessage]:
        statement = select(outbox).where(outbox.c.occurred_at >= moment).order_by(outbox.c.id)
        if topics:
            statement = statement.where(outbox.c.topic.in_(list(topics)))
        return [_message(r) for r in self.c.execute(statement)]


class SqlProcessedEventRepository:
    def __init__(self, connection: Connection) -> None:
        self.c = connection

    def seen(self, consumer: str, event_id: str) -> bool:
        found = self.c.scalar(select(processed_events.c.event_id).where(
            processed_events.c.consumer == consumer, processed_events.c.event_id == event_id))
        return found is not None

    def add(self, consumer: str, event_id: str, at: datetime) -> bool:
        values = {"consumer": consumer, "event_id": event_id, "processed_at": at}
        if self.c.dialect.name == "postgresql":
            result = self.c.execute(
                pg_insert(processed_events).values(values).on_conflict_do_nothing())
        else:
            result = self.c.execute(
                insert(processed_events).values(values).prefix_with("OR IGNORE"))
        return bool(result.rowcount)
