"""Carts, orders and idempotency keys, in memory."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from shopcore.adapters.memory.store import Tables
from shopcore.domain.cart import Cart
from shopcore.domain.events import Aggregate
from shopcore.domain.order import Order, Status
from shopcore.domain.pagination import PageRequest
from shopcore.ports.repositories import IdempotentRequest

Track = Callable[[Aggregate], None]


def _copy(aggregate: Any) -> Any:
    twin = copy.deepcopy(aggregate)
    twin.events = []
    return twin


class MemoryCartRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def get(self, user_id: int, *, for_update: bool = False) -> Cart:
        cart = self.t.carts.get(user_id)
        return _copy(cart) if cart else Cart(user_id=user_id)

    def save(self, cart: Cart) -> None:
        self.track(cart)
        cart.touched.clear()
        self.t.carts[cart.user_id] = _copy(cart)

    def holding(self, product_id: int) -> list[int]:
        return [c.user_id for c in self.t.carts.values() if product_id in c.lines]


class MemoryOrderRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def add(self, order: Order) -> None:
        self.track(order)
        order.id = self.t.next_id("orders")
        self.t.orders[order.id] = _copy(order)

    def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        order = self.t.orders.get(order_id)
        return _copy(order) if order else None

    def save(self, order: Order) -> None:
        assert order.id is not None
        self.track(order)
        self.t.orders[order.id] = _copy(order)

    def list(self, user_id: int, status: str | None,
             page: PageRequest) -> tuple[Sequence[Order], int]:
        rows = sorted((o for o in self.t.orders.values()
                       if o.user_id == user_id and (not status or o.status == status)),
                      key=lambda o: -(o.id or 0))
        return [_copy(o) for o in rows[page.offset:page.offset + page.size]], len(rows)

    def pending_before(self, moment: datetime, limit: int) -> Sequence[int]:
        return sorted(o.id or 0 for o in self.t.orders.values()
                      if o.status == Status.PENDING and o.created_at < moment)[:limit]


class MemoryIdempotencyRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def claim(self, user_id: int, endpoint: str, key: str, fingerprint: str,
              now: datetime) -> IdempotentRequest | None:
        found = self.t.idempotency.get((user_id, endpoint, key))
        if found:
            return found[0]
        self.t.idempotency[(user_id, endpoint, key)] = (IdempotentRequest(fingerprint), now)
        return None

    def finish(self, user_id: int, endpoint: str, key: str, status: int, body: Any) -> None:
        request, at = self.t.idempotency[(user_id, endpoint, key)]
        self.t.idempotency[(user_id, endpoint, key)] = (
            dataclasses.replace(request, status=status, body=body), at)

    def forget(self, user_id: int, endpoint: str, key: str) -> None:
        self.t.idempotency.pop((user_id, endpoint, key), None)

    def purge(self, before: datetime) -> int:
        old = [k for k, (_, at) in self.t.idempotency.items() if at < before]
        for k in old:
            del self.t.idempotency[k]
        return len(old)
