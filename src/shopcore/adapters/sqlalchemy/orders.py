"""Orders with their lines and status history on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, to_cents
from shopcore.adapters.sqlalchemy.tables import order_items, order_status_history, orders
from shopcore.domain.money import Money
from shopcore.domain.order import Order, OrderLine, Status, StatusChange
from shopcore.domain.pagination import PageRequest
from shopcore.ports.unit_of_work import Track


def _line(row: Any, currency: str) -> OrderLine:
    return OrderLine(row.product_id, row.name, Money(from_cents(row.unit_price_cents), currency),
                     row.quantity)


class SqlOrderRepository(AggregateRepository):
    """Orders; the history rows each order has stored are remembered, so `save` adds the rest."""

    def __init__(self, connection: Connection, track: Track) -> None:
        super().__init__(connection, track)
        self._stored: dict[int, int] = {}

    def add(self, order: Order) -> None:
        result = self.c.execute(insert(orders).values(
            user_id=order.user_id, status=order.status.value, currency=order.currency,
            total_cents=to_cents(order.total.amount), created_at=order.created_at))
        assert result.inserted_primary_key is not None
        order.id = int(result.inserted_primary_key[0])
        self.track(order, new=True)
        self.c.execute(insert(order_items), [
            {"order_id": order.id, "position": n, "product_id": line.product_id,
             "name": line.name, "unit_price_cents": to_cents(line.unit_price.amount),
             "quantity": line.quantity} for n, line in enumerate(order.lines)])
        self._insert_history(order, 0)

    def _insert_history(self, order: Order, start: int) -> None:
        assert order.id is not None
        self._stored[order.id] = len(order.history)
        new = order.history[start:]
        if new:
            self.c.execute(insert(order_status_history), [
                {"order_id": order.id, "position": start + n, "status": change.status.value,
                 "at": change.at, "actor": change.actor, "note": change.note}
                for n, change in enumerate(new)])

    def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        """The order and its lines in one statement, its history in a second."""
        statement = (select(orders, order_items)
                     .select_from(orders.outerjoin(order_items,
                                                   order_items.c.order_id == orders.c.id))
                     .where(orders.c.id == order_id).order_by(order_items.c.position))
        if for_update and self.c.dialect.name == "postgresql":
            statement = statement.with_for_update(of=orders)
        rows = self.c.execute(statement).all()
        if not rows:
            return None
        lines = [_line(r, r.currency) for r in rows if r.position is not None]
        return self._load(rows[:1], {order_id: lines})[0]

    def _load(self, rows: Sequence[Any],
              loaded: dict[int, list[OrderLine]] | None = None) -> list[Order]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        currency = {r.id: r.currency for r in rows}
        lines: dict[int, list[OrderLine]] = loaded or {i: [] for i in ids}
        if loaded is None:
            for r in self.c.execute(select(order_items).where(order_items.c.order_id.in_(ids))
                                    .order_by(order_items.c.order_id, order_items.c.position)):
                lines[r.order_id].append(_line(r, currency[r.order_id]))
        history: dict[int, list[StatusChange]] = {i: [] for i in ids}
        for r in self.c.execute(select(order_status_history)
                                .where(order_status_history.c.order_id.in_(ids))
                                .order_by(order_status_history.c.order_id,
                                          order_status_history.c.position)):
            history[r.order_id].append(StatusChange(Status(r.status), aware(r.at), r.actor,
                                                    r.note))
        self._stored.update({i: len(h) for i, h in history.items()})
        return [Order(id=r.id, user_id=r.user_id, lines=lines[r.id], currency=r.currency,
                      created_at=aware(r.created_at), status=Status(r.status),
                      history=history[r.id])
                for r in rows]

    def save(self, order: Order) -> None:
        self.track(order)
        assert order.id is not None
        stored = self._stored.get(order.id)
        if stored is None:
            stored = self.c.scalar(select(func.count()).select_from(order_status_history)
                                   .where(order_status_history.c.order_id == order.id)) or 0
        self.c.execute(update(orders).where(orders.c.id == order.id).values(
            status=order.status.value))
        self._insert_history(order, int(stored))

    def list(self, user_id: int, status: str | None,
             page: PageRequest) -> tuple[Sequence[Order], int]:
        where = [orders.c.user_id == user_id]
        if status:
            where.append(orders.c.status == status)
        total = self.c.scalar(select(func.count()).select_from(orders).where(*where)) or 0
        rows = self.c.execute(select(orders).where(*where).order_by(orders.c.id.desc())
                              .limit(page.size).offset(page.offset)).all()
        return self._load(rows), int(total)

    def count(self, user_id: int, status: str) -> int:
        return int(self.c.scalar(select(func.count()).select_from(orders).where(
            orders.c.user_id == user_id, orders.c.status == status)) or 0)

    def pending_before(self, moment: datetime, limit: int) -> Sequence[int]:
        rows = self.c.execute(select(orders.c.id).where(orders.c.status == Status.PENDING.value,
                                                        orders.c.created_at < moment)
                              .order_by(orders.c.id).limit(limit))
        return [int(r[0]) for r in rows]
