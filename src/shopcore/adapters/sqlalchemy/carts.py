"""Carts and their lines on SQLAlchemy."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, to_cents
from shopcore.adapters.sqlalchemy.tables import cart_items, carts
from shopcore.domain.cart import Cart, CartLine
from shopcore.ports.unit_of_work import Track


@functools.cache
def _statements(dialect: str) -> tuple[Any, Any, Any]:
    """The cart's upserts on `dialect`: lock-and-count, store-version, store-lines."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    cart = insert(carts).values(user_id=bindparam("user_id"), version=bindparam("version"))
    key = [carts.c.user_id]
    lock = cart.on_conflict_do_update(index_elements=key, set_={
        "version": carts.c.version + 1}).returning(carts.c.version)
    store = cart.on_conflict_do_update(index_elements=key, set_={
        "version": cart.excluded.version})
    line = insert(cart_items)
    lines = line.on_conflict_do_update(
        index_elements=[cart_items.c.user_id, cart_items.c.product_id],
        set_={"quantity": line.excluded.quantity,
              "added_price_cents": line.excluded.added_price_cents,
              "added_name": line.excluded.added_name, "added_at": line.excluded.added_at})
    return lock, store, lines


def _lines(rows: Iterable[Any]) -> dict[int, CartLine]:
    return {r.product_id: CartLine(r.product_id, r.quantity, from_cents(r.added_price_cents),
                                   r.added_name, aware(r.added_at)) for r in rows}


class SqlCartRepository(AggregateRepository):
    """A cart write costs its lock, its lines and one upsert of the lines it touched.

    `get(for_update=True)` creates, locks and counts the change in one statement (the
    version the database then holds is remembered), so `save` writes the version only
    when a use case changed the cart more than once.
    """

    def __init__(self, connection: Connection, track: Track) -> None:
        super().__init__(connection, track)
        self._stored: dict[int, int] = {}
        self._lock, self._store, self._lines = _statements(connection.dialect.name)

    def get(self, user_id: int, *, for_update: bool = False) -> Cart:
        if for_update:
            stored = int(self.c.execute(self._lock, {"user_id": user_id, "version": 1})
                         .scalar_one())
            self._stored[user_id] = stored
            rows = self.c.execute(select(cart_items).where(cart_items.c.user_id == user_id)
                                  .order_by(cart_items.c.added_at, cart_items.c.product_id))
            return Cart(user_id=user_id, lines=_lines(rows), version=stored - 1)
        joined = self.c.execute(
            select(carts.c.version, cart_items)
            .select_from(carts.outerjoin(cart_items, cart_items.c.user_id == carts.c.user_id))
            .where(carts.c.user_id == user_id)
            .order_by(cart_items.c.added_at, cart_items.c.product_id)).all()
        version = joined[0].version if joined else 0
        return Cart(user_id=user_id, lines=_lines(r for r in joined if r.product_id is not None),
                    version=version)

    def save(self, cart: Cart) -> None:
        """Store the version and the lines the cart says it touched; the rest are as they were."""
        self.track(cart)
        if self._stored.get(cart.user_id) != cart.version:
            self.c.execute(self._store, {"user_id": cart.user_id, "version": cart.version})
            self._stored[cart.user_id] = cart.version
        touched = sorted(cart.touched)
        gone = [p for p in touched if p not in cart.lines]
        if gone:
            self.c.execute(delete(cart_items).where(cart_items.c.user_id == cart.user_id,
                                                    cart_items.c.product_id.in_(gone)))
        kept = [cart.lines[p] for p in touched if p in cart.lines]
        if kept:
            self.c.execute(self._lines, [
                {"user_id": cart.user_id, "product_id": line.product_id,
                 "quantity": line.quantity, "added_price_cents": to_cents(line.added_price),
                 "added_name": line.added_name, "added_at": line.added_at}
                for line in kept])
        cart.touched.clear()

    def holding(self, product_id: int) -> list[int]:
        rows = self.c.execute(select(cart_items.c.user_id)
                              .where(cart_items.c.product_id == product_id))
        return [int(r[0]) for r in rows]
