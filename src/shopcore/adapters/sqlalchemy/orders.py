"""Orders with their lines and status history on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    DateTime,
    Integer,
    String,
    Text,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    null,
    select,
    true,
    union_all,
    update,
)

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, money_of, to_cents
from shopcore.adapters.sqlalchemy.order_arrays import PG_ADD, PG_MOVE, history_arrays, line_arrays
from shopcore.adapters.sqlalchemy.prepared import Prepared
from shopcore.adapters.sqlalchemy.tables import order_items, order_status_history, orders
from shopcore.domain.money import Money
from shopcore.domain.order import Order, OrderLine, Status, StatusChange
from shopcore.domain.pagination import PageRequest
from shopcore.ports.unit_of_work import Track

_LINE = ("product_id", "name", "unit_price_cents", "quantity")
_CHANGE = ("status", "at", "actor", "note")
_TYPES: dict[str, Any] = {"product_id": BigInteger(), "name": String(), "quantity": Integer(),
                          "unit_price_cents": BigInteger(), "status": String(),
                          "at": DateTime(timezone=True), "actor": String(), "note": Text()}


def _with_parts(dialect: str, *, for_update: bool) -> Any:
    """The order, then one row per line and per history entry (`part` 'l' or 'h'), by position.

    A UNION ALL of both children joined to the one order row: one statement for the order
    with its lines and history, each child read by its primary key's prefix.
    """
    def part(table: Any, kind: str, own: Sequence[str]) -> Any:
        columns = [table.c[name] if name in own else cast(null(), _TYPES[name])
                   for name in (*_LINE, *_CHANGE)]
        return select(literal_column(f"'{kind}'", String()).label("part"),
                      table.c.position.label("p_position"),
                      *(c.label(f"p_{name}") for c, name in
                        zip(columns, (*_LINE, *_CHANGE), strict=True))
                      ).where(table.c.order_id == bindparam("order_id"))

    parts = union_all(part(order_items, "l", _LINE),
                      part(order_status_history, "h", _CHANGE)).subquery("parts")
    statement = (select(orders, *(c for c in parts.c))
                 .select_from(orders.outerjoin(parts, true()))
                 .where(orders.c.id == bindparam("order_id"))
                 .order_by(parts.c.part, parts.c.p_position))
    if for_update and dialect == "postgresql":
        statement = statement.with_for_update(of=orders)
    return statement


_GET = Prepared(lambda dialect: _with_parts(dialect, for_update=False))
_GET_FOR_UPDATE = Prepared(lambda dialect: _with_parts(dialect, for_update=True))

_INSERT_ORDER = Prepared(lambda _: insert(orders).values(
    {name: bindparam(name) for name in ("user_id", "status", "currency", "total_cents",
                                        "created_at")}).returning(orders.c.id))
_INSERT_LINES = Prepared(lambda _: insert(order_items))
_INSERT_HISTORY = Prepared(lambda _: insert(order_status_history))
_SET_STATUS = Prepared(lambda _: update(orders).where(orders.c.id == bindparam("order_id"))
                       .values(status=bindparam("status")))
_HISTORY_COUNT = Prepared(lambda _: select(func.count().label("n"))
                          .where(order_status_history.c.order_id == bindparam("order_id")))
_COUNT = Prepared(lambda _: select(func.count().label("n")).select_from(orders).where(
    orders.c.user_id == bindparam("user_id"), orders.c.status == bindparam("status")))


def _line(row: Any, currency: str) -> OrderLine:
    return OrderLine(row.product_id, row.name, Money(from_cents(row.unit_price_cents), currency),
                     row.quantity)


class SqlOrderRepository(AggregateRepository):
    """Orders; the history rows each order has stored are remembered, so `save` adds the rest.

    An order reads with its lines and history in one statement; on PostgreSQL a new order
    (with its lines and first history) is one INSERT, and a move (status and history) one more.
    """

    def __init__(self, connection: Connection, track: Track) -> None:
        super().__init__(connection, track)
        self._stored: dict[int, int] = {}
        self.postgres = connection.dialect.name == "postgresql"

    def add(self, order: Order) -> None:
        values: dict[str, Any] = {"user_id": order.user_id, "status": order.status.value,
                                  "currency": order.currency,
                                  "total_cents": to_cents(order.total.amount),
                                  "created_at": order.created_at}
        if self.postgres:
            values.update(line_arrays(order.lines))
            values.update(history_arrays(order.history, 0))
            order.id = int(PG_ADD.rows(self.c, values)[0].id)
        else:
            order.id = int(_INSERT_ORDER.rows(self.c, values)[0].id)
            if order.lines:
                _INSERT_LINES.run(self.c, [
                    {"order_id": order.id, "position": n, "product_id": line.product_id,
                     "name": line.name, "unit_price_cents": to_cents(line.unit_price.amount),
                     "quantity": line.quantity} for n, line in enumerate(order.lines)])
            self._insert_history(order, 0)
        self._stored[order.id] = len(order.history)
        self.track(order, new=True)

    def _insert_history(self, order: Order, start: int) -> None:
        assert order.id is not None
        new = order.history[start:]
        if new:
            _INSERT_HISTORY.run(self.c, [
                {"order_id": order.id, "position": start + n, "status": change.status.value,
                 "at": change.at, "actor": change.actor, "note": change.note}
                for n, change in enumerate(new)])

    def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        """The order with its lines and history, in one statement."""
        rows = (_GET_FOR_UPDATE if for_update else _GET).rows(self.c, {"order_id": order_id})
        if not rows:
            return None
        first = rows[0]
        currency = first.currency
        lines = [OrderLine(r.p_product_id, r.p_name, money_of(r.p_unit_price_cents, currency),
                           r.p_quantity) for r in rows if r.part == "l"]
        history = [StatusChange(Status(r.p_status), aware(r.p_at), r.p_actor, r.p_note)
                   for r in rows if r.part == "h"]
        self._stored[order_id] = len(history)
        return Order(id=first.id, user_id=first.user_id, lines=lines, currency=currency,
                     created_at=aware(first.created_at), status=Status(first.status),
                     history=history)

    def _load(self, rows: Sequence[Any]) -> list[Order]:
        ids = [r.id for r in rows]
        if not ids:
            return []
        currency = {r.id: r.currency for r in rows}
        lines: dict[int, list[OrderLine]] = {i: [] for i in ids}
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
            stored = int(_HISTORY_COUNT.rows(self.c, {"order_id": order.id})[0].n or 0)
        if self.postgres:
            PG_MOVE.run(self.c, {"order_id": order.id, "status": order.status.value,
                                  **history_arrays(order.history, stored)})
        else:
            _SET_STATUS.run(self.c, {"order_id": order.id, "status": order.status.value})
            self._insert_history(order, stored)
        self._stored[order.id] = len(order.history)

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
        return int(_COUNT.rows(self.c, {"user_id": user_id, "status": str(status)})[0].n or 0)

    def pending_before(self, moment: datetime, limit: int) -> Sequence[int]:
        rows = self.c.execute(select(orders.c.id).where(orders.c.status == Status.PENDING.value,
                                                        orders.c.created_at < moment)
                              .order_by(orders.c.id).limit(limit))
        return [int(r[0]) for r in rows]
