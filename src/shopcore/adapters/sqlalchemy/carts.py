"""Carts and their lines on SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import delete, insert, select, update

from shopcore.adapters.sqlalchemy.base import AggregateRepository, insert_ignore
from shopcore.adapters.sqlalchemy.mappers import aware, from_cents, to_cents
from shopcore.adapters.sqlalchemy.tables import cart_items, carts
from shopcore.domain.cart import Cart, CartLine


class SqlCartRepository(AggregateRepository):
    def get(self, user_id: int, *, for_update: bool = False) -> Cart:
        statement = select(carts.c.version).where(carts.c.user_id == user_id)
        if for_update:
            insert_ignore(self.c, carts, {"user_id": user_id, "version": 0})
            if self.c.dialect.name == "postgresql":
                statement = statement.with_for_update()
        version = self.c.scalar(statement) or 0
        rows = self.c.execute(select(cart_items).where(cart_items.c.user_id == user_id)
                              .order_by(cart_items.c.added_at, cart_items.c.product_id))
        lines = {r.product_id: CartLine(r.product_id, r.quantity, from_cents(r.added_price_cents),
                                        r.added_name, aware(r.added_at)) for r in rows}
        return Cart(user_id=user_id, lines=lines, version=version)

    def save(self, cart: Cart) -> None:
        """Store the version and the lines the cart says it touched; the rest are as they were."""
        self.track(cart)
        insert_ignore(self.c, carts, {"user_id": cart.user_id, "version": cart.version})
        self.c.execute(update(carts).where(carts.c.user_id == cart.user_id)
                       .values(version=cart.version))
        touched = sorted(cart.touched)
        if touched:
            self.c.execute(delete(cart_items).where(cart_items.c.user_id == cart.user_id,
                                                    cart_items.c.product_id.in_(touched)))
        kept = [cart.lines[p] for p in touched if p in cart.lines]
        if kept:
            self.c.execute(insert(cart_items), [
                {"user_id": cart.user_id, "product_id": line.product_id,
                 "quantity": line.quantity, "added_price_cents": to_cents(line.added_price),
                 "added_name": line.added_name, "added_at": line.added_at}
                for line in kept])
        cart.touched.clear()

    def holding(self, product_id: int) -> list[int]:
        rows = self.c.execute(select(cart_items.c.user_id)
                              .where(cart_items.c.product_id == product_id))
        return [int(r[0]) for r in rows]
