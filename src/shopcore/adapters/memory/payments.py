"""Payment attempts with their refunds, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from shopcore.adapters.memory.base import Track, deep_clone
from shopcore.adapters.memory.store import Tables
from shopcore.domain.errors import Conflict
from shopcore.domain.pagination import PageRequest
from shopcore.domain.payment import Payment

OPEN_ATTEMPT = "A payment of this order is already in progress."


class MemoryPaymentRepository:
    def __init__(self, tables: Tables, track: Track) -> None:
        self.t, self.track = tables, track

    def _check(self, payment: Payment) -> None:
        for other in self.t.payments.values():
            if other.id == payment.id or other.order_id != payment.order_id:
                continue
            if other.attempt == payment.attempt or (other.is_open and payment.is_open):
                raise Conflict(OPEN_ATTEMPT)

    def add(self, payment: Payment) -> None:
        self._check(payment)
        payment.id = self.t.next_id("payments")
        self.track(payment, new=True)
        self.t.payments[payment.id] = deep_clone(payment)

    def get(self, payment_id: int, *, for_update: bool = False) -> Payment | None:
        found = self.t.payments.get(payment_id)
        return deep_clone(found) if found else None

    def save(self, payment: Payment) -> None:
        assert payment.id is not None
        self._check(payment)
        self.track(payment)
        self.t.payments[payment.id] = deep_clone(payment)

    def of_order(self, order_id: int, *, for_update: bool = False) -> list[Payment]:
        return [deep_clone(p) for p in sorted(self.t.payments.values(), key=lambda p: p.attempt)
                if p.order_id == order_id]

    def by_reference(self, reference: str) -> Payment | None:
        found = next((p for p in self.t.payments.values() if p.provider_reference == reference),
                     None)
        return deep_clone(found) if found else None

    def by_attempt(self, order_id: int, attempt: int) -> Payment | None:
        found = next((p for p in self.t.payments.values()
                      if p.order_id == order_id and p.attempt == attempt), None)
        return deep_clone(found) if found else None

    def list(self, user_id: int, page: PageRequest) -> tuple[Sequence[Payment], int]:
        rows = sorted((p for p in self.t.payments.values() if p.user_id == user_id),
                      key=lambda p: -(p.id or 0))
        return [deep_clone(p) for p in rows[page.offset:page.offset + page.size]], len(rows)

    def open_before(self, moment: datetime, limit: int) -> Sequence[int]:
        rows = sorted((p for p in self.t.payments.values()
                       if p.is_open and p.updated_at < moment), key=lambda p: p.updated_at)
        return [p.id or 0 for p in rows[:limit]]
