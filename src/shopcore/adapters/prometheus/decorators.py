"""Port decorators that count what passes through: the cart cache and the payment gateway."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import Counter

from shopcore.adapters.prometheus.metrics import shop_metrics
from shopcore.domain.cart import CartView
from shopcore.domain.money import Money
from shopcore.ports.cart_cache import CacheRead, CartCache
from shopcore.ports.payments import Charge, ChargeRequest, PaymentGateway, Refund


class CountedCartCache:
    """A CartCache that counts hits, misses and errors (a degraded read has no generation)."""

    def __init__(self, inner: CartCache, counter: Counter) -> None:
        self.inner, self.counter = inner, counter

    def get(self, user_id: int) -> CacheRead:
        try:
            read = self.inner.get(user_id)
        except Exception:
            self.counter.labels("error").inc()
            raise
        result = "hit" if read.hit else "miss" if read.generation else "error"
        self.counter.labels(result).inc()
        return read

    def put(self, user_id: int, view: CartView, generation: str) -> bool:
        return self.inner.put(user_id, view, generation)

    def invalidate(self, user_ids: Iterable[int]) -> None:
        self.inner.invalidate(user_ids)

    def check(self) -> str:
        return self.inner.check()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


class CountedGateway:
    """A PaymentGateway that counts each charge's outcome: its status, or the error's kind."""

    def __init__(self, inner: PaymentGateway, counter: Counter) -> None:
        self.inner, self.counter = inner, counter
        self.name = inner.name

    def charge(self, request: ChargeRequest) -> Charge:
        try:
            charge = self.inner.charge(request)
        except Exception as exc:
            self.counter.labels(self.name, type(exc).__name__).inc()
            raise
        self.counter.labels(self.name, str(charge.status)).inc()
        return charge

    def find(self, order_id: int, attempt: int) -> Charge | None:
        return self.inner.find(order_id, attempt)

    def retrieve(self, reference: str) -> Charge:
        return self.inner.retrieve(reference)

    def refund(self, reference: str, amount: Money, idempotency_key: str) -> Refund:
        return self.inner.refund(reference, amount, idempotency_key)

    def check(self) -> str:
        return self.inner.check()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def counted(kind: str, inner: Any) -> Any:
    """`inner` wrapped by the decorator for `kind` ('cart_cache' or 'payments')."""
    if kind == "cart_cache":
        return CountedCartCache(inner, shop_metrics().cart_cache)
    return CountedGateway(inner, shop_metrics().payments)
