"""Orders with their lines and status history on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, to_cents
from shopcore.adapters.sqlalchemy.tables import order_items, order_status_history, orders
from shopcore.domain.money import Money
from shopcore.domain.order import Order, OrderLine, Status, StatusChange
from shopcore.domain.pagination import PageRequest


class SqlOrderRepository(AggregateRepository):
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
        new = order.history[start:]
        if new:
            self.c.execute(insert(order_status_history), [
                {"order_id": order.id, "position": start + n, "status": change.status.value,
                 "at": change.at, "actor": change.actor, "note": change.note}
                for n, change in enumerate(new)])

    def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        statement = select(orders).where(orders.c.id == order_id)
        if for_update and self.c.dialect.name == "postgresql":
            statement = statement.with_for_update()
        row = self.c.execute(statement).first()
        return self._load([row])[0] if row else None

    def _load(self, rows: Sequence[Any]) -> list[Order]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        currency = {r.id: r.currency for r in rows}
        lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
        for r in self.c.execute(select(order_items).where(order_items.c.order_id.in_(ids))
                                .order_by(order_items.c.order_id, order_items.c.position)):
            lines[r.order_id].append(OrderLine(r.product_id, r.name,
                                               Money(from_cents(r.unit_price_cents),
                                                     currency[r.order_id]),
                                               r.quantity))
        history: dict[int, list[StatusChange]] = {i: [] for i in ids}
        for r in self.c.execute(select(order_status_history)
                                .where(order_status_history.c.order_id.in_(ids))
                                .order_by(order_status_history.c.order_id,
                                          order_status_history.c.position)):
            history[r.order_id].append(StatusChange(Status(r.status), aware(r.at), r.actor,
                                                    r.note))
        return [Order(id=r.id, user_id=r.user_id, lines=lines[r.id], currency=r.currency,
                      created_at=aware(r.created_at), status=Status(r.status),
                      history=history[r.id])
                for r in rows]

    def save(self, order: Order) -> None:
        self.track(order)
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

    def pending_before(self, moment: datetime, limit: int) -> Sequence[int]:
        rows = self.c.execute(select(orders.c.id).where(orders.c.status == Status.PENDING.value,
                                                        orders.c.created_at < moment)
                              .order_by(orders.c.id).limit(limit))
        return [int(r[0]) for r in rows]
