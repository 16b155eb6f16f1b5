"""The cart read model cache: written after commit, invalidated on change, never the truth."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from shopcore.domain.cart import CartView


@dataclass(frozen=True)
class CacheRead:
    """What a read found (None: a miss) and the generation to hand back to `put`.

    A store that keeps carts encoded hands over `body`, the cart as the contract's JSON, with
    `decode` for it: `value` is only built when asked, so a reader sending `body` never does.
    """

    found: CartView | None
    generation: str
    body: bytes | None = None
    decode: Callable[[bytes], CartView] | None = field(default=None, compare=False, repr=False)

    @property
    def hit(self) -> bool:
        return self.found is not None or self.body is not None

    @functools.cached_property
    def value(self) -> CartView | None:
        if self.found is None and self.body is not None and self.decode is not None:
            return self.decode(self.body)
        return self.found


class CartCache(Protocol):
    """Carts by user id, guarded so a reader never re-caches a cart older than a write.

    A reader calls `get`; on a miss it builds the cart from the database and calls
    `put(user_id, view, read.generation)`, which stores it only if no `invalidate` of
    that user happened since the `get`. Writers call `invalidate` after their commit.
    Every method degrades to a miss or a no-op when the cache's store is unavailable.
    """

    def get(self, user_id: int) -> CacheRead: ...
    def put(self, user_id: int, view: CartView, generation: str) -> bool: ...
    def invalidate(self, user_ids: Iterable[int]) -> None: ...
    def check(self) -> str:
        """'up', 'down' or 'disabled', quickly, for readiness."""
        ...
