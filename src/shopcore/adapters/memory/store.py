"""The in-memory database: tables of entities, copied per transaction."""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from datetime import datetime

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Category, Product
from shopcore.domain.order import Order
from shopcore.domain.payment import Payment
from shopcore.domain.user import RefreshSession, User
from shopcore.ports.events import OutboxMessage
from shopcore.ports.repositories import IdempotentRequest


@dataclass
class Tables:
    """Every stored entity, by key, plus the id sequences."""

    users: dict[int, User] = field(default_factory=dict)
    refresh_sessions: dict[str, RefreshSession] = field(default_factory=dict)
    categories: dict[int, Category] = field(default_factory=dict)
    products: dict[int, Product] = field(default_factory=dict)
    carts: dict[int, Cart] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    payments: dict[int, Payment] = field(default_factory=dict)
    idempotency: dict[tuple[int, str, str], tuple[IdempotentRequest, datetime]] = field(
        default_factory=dict)
    outbox: dict[int, OutboxMessage] = field(default_factory=dict)
    processed_events: set[tuple[str, str]] = field(default_factory=set)
    sequences: dict[str, int] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        self.sequences[table] = self.sequences.get(table, 0) + 1
        return self.sequences[table]


class MemoryStore:
    """Committed state; one transaction at a time works on a private copy of it."""

    def __init__(self) -> None:
        self.tables = Tables()
        self.lock = threading.RLock()

    def begin(self) -> Tables:
        self.lock.acquire()
        return self.snapshot()

    def snapshot(self) -> Tables:
        return copy.deepcopy(self.tables)

    def commit(self, working: Tables) -> None:
        self.tables = copy.deepcopy(working)

    def end(self) -> None:
        self.lock.release()
