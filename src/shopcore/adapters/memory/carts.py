"""Carts, in memory."""

from __future__ import annotations

from collections.abc import Sequence

from shopcore.adapters.memory.base import Track, clone, deep_clone
from shopcore.adapters.memory.store import Tables
from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Product


class MemoryCartRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def get(self, user_id: int, *, for_update: bool = False) -> Cart:
        cart = self.t.carts.get(user_id)
        return deep_clone(cart) if cart else Cart(user_id=user_id)

    def get_with_products(self, user_id: int, *, also: Sequence[int] = (),
                          for_update: bool = False) -> tuple[Cart, dict[int, Product]]:
        cart = self.get(user_id, for_update=for_update)
        wanted = set(cart.lines) | set(also)
        return cart, {p: clone(self.t.products[p]) for p in sorted(wanted)
                      if p in self.t.products}

    def save(self, cart: Cart) -> None:
        self.track(cart)
        cart.touched.clear()
        self.t.carts[cart.user_id] = deep_clone(cart)

    def holding(self, product_id: int) -> list[int]:
        return [c.user_id for c in self.t.carts.values() if product_id in c.lines]
