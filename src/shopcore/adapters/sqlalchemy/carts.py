"""Carts and their lines on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, null, select, union_all
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shopcore.adapters.sqlalchemy.base import AggregateRepository
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, product_from_row, to_cents
from shopcore.adapters.sqlalchemy.prepared import Prepared, any_of
from shopcore.adapters.sqlalchemy.tables import cart_items, carts, products
from shopcore.domain.cart import Cart, CartLine
from shopcore.domain.catalog import Product
from shopcore.ports.unit_of_work import Track


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _lock(dialect: str) -> Any:
    """Create the cart if it is new, lock it and count the change, in one statement."""
    cart = _insert(dialect)(carts).values(user_id=bindparam("user_id"), version=1)
    return cart.on_conflict_do_update(index_elements=[carts.c.user_id], set_={
        "version": carts.c.version + 1}).returning(carts.c.version)


def _store(dialect: str) -> Any:
    cart = _insert(dialect)(carts).values(user_id=bindparam("user_id"),
                                          version=bindparam("version"))
    return cart.on_conflict_do_update(index_elements=[carts.c.user_id], set_={
        "version": cart.excluded.version})


def _upsert_lines(dialect: str) -> Any:
    line = _insert(dialect)(cart_items)
    return line.on_conflict_do_update(
        index_elements=[cart_items.c.user_id, cart_items.c.product_id],
        set_={"quantity": line.excluded.quantity,
              "added_price_cents": line.excluded.added_price_cents,
              "added_name": line.excluded.added_name, "added_at": line.excluded.added_at})


_ORDER = (cart_items.c.added_at, cart_items.c.product_id)
_LOCK = Prepared(_lock)
_STORE = Prepared(_store)
_UPSERT_LINES = Prepared(_upsert_lines)
_LINES = Prepared(lambda _: select(cart_items).where(
    cart_items.c.user_id == bindparam("user_id")).order_by(*_ORDER))
_JOINED = Prepared(lambda _: select(carts.c.version, cart_items)
                   .select_from(carts.outerjoin(cart_items,
                                                cart_items.c.user_id == carts.c.user_id))
                   .where(carts.c.user_id == bindparam("user_id")).order_by(*_ORDER))
_DELETE_LINES = Prepared(lambda dialect: delete(cart_items).where(
    cart_items.c.user_id == bindparam("user_id"),
    any_of(dialect, cart_items.c.product_id, "product_ids")))


def _with_products(dialect: str) -> Any:
    """The cart's version, its lines with their products, and the products of `also` that
    are not in it: one read for a cart change and the view it answers."""
    line = [cart_items.c[name].label(f"line_{name}") for name in _LINE_COLUMNS]
    held = (select(carts.c.version, *line, *products.c)
            .select_from(carts.outerjoin(cart_items, cart_items.c.user_id == carts.c.user_id)
                         .outerjoin(products, products.c.id == cart_items.c.product_id))
            .where(carts.c.user_id == bindparam("user_id")))
    in_cart = (select(cart_items.c.product_id)
               .where(cart_items.c.user_id == bindparam("user_id"),
                      cart_items.c.product_id == products.c.id))
    also = (select(null(), *(null() for _ in line), *products.c)
            .where(any_of(dialect, products.c.id, "also"), ~in_cart.exists()))
    return union_all(held, also)


_LINE_COLUMNS = ("product_id", "quantity", "added_price_cents", "added_name", "added_at")
_WITH_PRODUCTS = Prepared(_with_products)


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

    def get(self, user_id: int, *, for_update: bool = False) -> Cart:
        if for_update:
            stored = int(_LOCK.rows(self.c, {"user_id": user_id})[0].version)
            self._stored[user_id] = stored
            rows = _LINES.rows(self.c, {"user_id": user_id})
            return Cart(user_id=user_id, lines=_lines(rows), version=stored - 1)
        joined = _JOINED.rows(self.c, {"user_id": user_id})
        version = joined[0].version if joined else 0
        return Cart(user_id=user_id, lines=_lines(r for r in joined if r.product_id is not None),
                    version=version)

    def get_with_products(self, user_id: int, *, also: Sequence[int] = (),
                          for_update: bool = False) -> tuple[Cart, dict[int, Product]]:
        stored = None
        if for_update:
            stored = self._stored[user_id] = int(_LOCK.rows(self.c, {"user_id": user_id})[0]
                                                 .version)
        rows = _WITH_PRODUCTS.rows(self.c, {"user_id": user_id, "also": list(also)})
        held = sorted((r for r in rows if r.line_product_id is not None),
                      key=lambda r: (r.line_added_at, r.line_product_id))
        lines = {r.line_product_id: CartLine(r.line_product_id, r.line_quantity,
                                             from_cents(r.line_added_price_cents),
                                             r.line_added_name, aware(r.line_added_at))
                 for r in held}
        found = {r.id: product_from_row(r) for r in rows if r.id is not None}
        version = (stored - 1 if stored is not None
                   else next((r.version for r in rows if r.version is not None), 0))
        return Cart(user_id=user_id, lines=lines, version=version), found

    def save(self, cart: Cart) -> None:
        """Store the version and the lines the cart says it touched; the rest are as they were."""
        self.track(cart)
        if self._stored.get(cart.user_id) != cart.version:
            _STORE.run(self.c, {"user_id": cart.user_id, "version": cart.version})
            self._stored[cart.user_id] = cart.version
        touched = sorted(cart.touched)
        gone = [p for p in touched if p not in cart.lines]
        if gone:
            _DELETE_LINES.run(self.c, {"user_id": cart.user_id, "product_ids": gone})
        kept = [cart.lines[p] for p in touched if p in cart.lines]
        if kept:
            _UPSERT_LINES.run(self.c, [
                {"user_id": cart.user_id, "product_id": line.product_id,
                 "quantity": line.quantity, "added_price_cents": to_cents(line.added_price),
                 "added_name": line.added_name, "added_at": line.added_at}
                for line in kept])
        cart.touched.clear()

    def holding(self, product_id: int) -> list[int]:
        rows = self.c.execute(select(cart_items.c.user_id)
                              .where(cart_items.c.product_id == product_id))
        return [int(r[0]) for r in rows]
