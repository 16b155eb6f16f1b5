"""Orders with their lines and history, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shopcore.adapters.memory.base import Track, deep_clone
from shopcore.adapters.memory.store import Tables
from shopcore.domain.order import Order, Status
from shopcore.domain.pagination import PageRequest


class MemoryOrderRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def add(self, order: Order) -> None:
        order.id = self.t.next_id("orders")
        self.track(order, new=True)
        self.t.orders[order.id] = deep_clone(order)

    def get(self, order_id: int, *, for_update: bool = False) -> Order | None:
        order = self.t.orders.get(order_id)
        return deep_clone(order) if order else None

    def save(self, order: Order) -> None:
        assert order.id is not None
        self.track(order)
        self.t.orders[order.id] = deep_clone(order)

    def list(self, user_id: int, status: str | None,
             page: PageRequest) -> tuple[Sequence[Order], int]:
        rows = sorted((o for o in self.t.orders.values()
                       if o.user_id == user_id and (not status or o.status == status)),
                      key=lambda o: -(o.id or 0))
        return [deep_clone(o) for o in rows[page.offset:page.offset + page.size]], len(rows)

    def count(self, user_id: int, status: str) -> int:
        return sum(1 for o in self.t.orders.values()
                   if o.user_id == user_id and o.status == status)

    def pending_before(self, moment: datetime, limit: int) -> Sequence[int]:
        return sorted(o.id or 0 for o in self.t.orders.values()
                      if o.status == Status.PENDING and o.created_at < moment)[:limit]
