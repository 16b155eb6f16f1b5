"""A PostgreSQL outage under load: 503s in the error shape, no hang, and nothing lost or doubled.

A private cluster is stopped twice (a clean `fast` shutdown, then an `immediate` crash) and
started again while customer threads shop through one app: add to the cart, check out and
pay, retrying a 503 with the same Idempotency-Key as a client should. The same app must
serve again once the database is back, and the orders, payments and events stored must be
exactly those the answers announced.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from shopcore.adapters.sqlalchemy.migrate import upgrade
from shopcore.adapters.sqlalchemy.outage import DATABASE_DOWN
from shopcore.adapters.sqlalchemy.tables import orders, outbox, payments
from shopcore.entrypoints.http import create_app
from tests.helpers import (
    Headers,
    Shop,
    make_category,
    make_product,
    make_settings,
    service_missing,
    shop_of,
)
from tests.private_postgres import PostgresFailed, PrivatePostgres

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
CUSTOMERS = 4
# No hang: a request gives up after the engine's connect and pool timeouts (3 s + 5 s).
HANG = 15.0
IN_FLIGHT = "A request with this Idempotency-Key is still being processed."
# A retry whose first attempt took effect but lost its answer: told so, never done twice.
DONE_BEFORE = {"checkout": "The cart is empty.", "pay": "cannot be paid."}
LEASE_S = 0.5  # a retry takes over a key whose request died with the database after this
LEAKS = ("select", "insert", "update", "psycopg", "sqlalchemy", "127.0.0.1", "traceback")


@dataclass
class Answer:
    step: str
    phase: str
    status: int
    seconds: float
    body: Any


def retry(answer: Answer) -> bool:
    """A client retries, with the same key, an outage and a key still held by a request that
    died in it (until the shop takes the key over)."""
    return answer.status == 503 or (answer.status == 409 and answer.body["message"] == IN_FLIGHT)


@dataclass
class Load:
    """Customers shopping in threads through one app; every answer recorded with its phase."""

    app: Any
    customers: list[Headers]
    product_id: int
    phase: str = "before"
    answers: list[Answer] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, client: Any, step: str, path: str, headers: Headers,
             body: Any = None) -> Answer:
        phase, started = self.phase, time.monotonic()
        response = client.post(path, json=body, headers=headers)
        answer = Answer(step, phase, response.status_code, time.monotonic() - started,
                        response.get_json())
        with self.lock:
            self.answers.append(answer)
        return answer

    def shop(self, headers: Headers) -> None:
        client = self.app.test_client()
        checkout_key: str | None = None
        payment: tuple[int, str] | None = None
        while not self.stop.is_set():
            if payment is not None:
                order_id, key = payment
                paid = self.call(client, "pay", "/api/payments/process/",
                                 {**headers, "Idempotency-Key": key},
                                 {"order_id": order_id, "payment_method_id": "pm_card_visa"})
                payment = payment if retry(paid) else None
            elif checkout_key is not None:
                placed = self.call(client, "checkout", "/api/orders/create/",
                                   {**headers, "Idempotency-Key": checkout_key})
                if placed.status == 201:
                    payment = (placed.body["id"], uuid.uuid4().hex)
                checkout_key = checkout_key if retry(placed) else None
            else:
                added = self.call(client, "add", "/api/cart/add/", headers,
                                  {"product_id": self.product_id, "quantity": 1})
                checkout_key = uuid.uuid4().hex if added.status == 200 else None
            if self.phase.startswith("outage"):
                time.sleep(0.05)  # a client backing off, so the outage is not a busy loop

    def of(self, step: str, status: int | None = None) -> list[Answer]:
        return [a for a in self.answers if a.step == step and status in (None, a.status)]


@pytest.fixture
def database(tmp_path: Path) -> Iterator[PrivatePostgres]:
    cluster = PrivatePostgres(tmp_path)
    try:
        cluster.create()
    except (PostgresFailed, OSError) as exc:
        cluster.destroy()
        service_missing("a private PostgreSQL cluster (initdb, pg_ctl)", exc)
    upgrade(cluster.url)
    yield cluster
    cluster.destroy()


@pytest.fixture
def load(database: PrivatePostgres) -> Iterator[Load]:
    app = create_app(make_settings(database.url, event_bus="memory",
                                   idempotency_lease_seconds=LEASE_S))
    shop = Shop(app, app.test_client())
    staff = shop.staff()
    books = make_category(shop.client, staff, "Books")["id"]
    product = make_product(shop.client, staff, books, "Dune")["id"]  # untracked stock
    customers = [shop.customer(f"customer{n}") for n in range(CUSTOMERS)]
    yield Load(app, customers, product)
    shop_of(app).close()


def readiness(app: Any) -> tuple[int, str]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()["status"]


def run_outages(load: Load, database: PrivatePostgres) -> dict[str, tuple[int, str]]:
    threads = [threading.Thread(target=load.shop, args=(c,)) for c in load.customers]
    for thread in threads:
        thread.start()
    ready: dict[str, tuple[int, str]] = {}
    try:
        time.sleep(1.0)
        for number, mode in enumerate(("fast", "immediate"), start=1):
            load.phase = f"outage {number} ({mode})"
            database.stop(mode)
            time.sleep(1.5)
            ready[load.phase] = readiness(load.app)
            database.start()
            load.phase = f"after outage {number}"
            time.sleep(1.5)
            ready[load.phase] = readiness(load.app)
    finally:
        load.stop.set()
        for thread in threads:
            thread.join(timeout=60)
    return ready


def test_a_database_outage_answers_503_and_loses_or_doubles_nothing(
    load: Load, database: PrivatePostgres
) -> None:
    ready = run_outages(load, database)

    figures = Counter((a.phase, a.step, a.status) for a in load.answers)
    print("\n".join(f"{phase:24} {step:8} {status}: {n}"
                    for (phase, step, status), n in sorted(figures.items())))
    odd = [a for a in load.answers if a.status not in (200, 201, 503) and not retry(a)]
    lost = Counter(a.step for a in odd if DONE_BEFORE.get(a.step, "?") in a.body["message"])
    assert sum(lost.values()) == len(odd), odd
    refused = [a for a in load.answers if a.status == 503]
    assert refused, "the outages were not seen"
    for answer in refused:
        assert set(answer.body) == {"code", "status", "message"}, answer.body
        assert answer.body["message"] == DATABASE_DOWN
        assert not any(word in str(answer.body).lower() for word in LEAKS), answer.body
    assert max(a.seconds for a in load.answers) < HANG
    assert [ready[p] for p in ready if p.startswith("outage")] == [(503, "down")] * 2
    assert [ready[p] for p in ready if p.startswith("after")] == [(200, "ok")] * 2
    for number in (1, 2):
        assert any(a.status == 201 for a in load.of("checkout")
                   if a.phase == f"after outage {number}")

    placed = {a.body["id"] for a in load.of("checkout", 201)}
    paid = {a.body["id"] for a in load.of("pay", 201)}
    engine = create_engine(database.url)
    with engine.connect() as db:
        stored_orders = set(db.scalars(select(orders.c.id)))
        stored_paid = set(db.scalars(select(payments.c.id)
                                     .where(payments.c.status == "succeeded")))
        events = dict(db.execute(select(outbox.c.type, func.count())
                                 .group_by(outbox.c.type)).all())
        created_keys = list(db.scalars(select(outbox.c.key)
                                       .where(outbox.c.type == "order.created")))
    engine.dispose()
    print(f"orders {len(placed)} answered / {len(stored_orders)} stored; payments "
          f"{len(paid)} answered / {len(stored_paid)} stored; answers lost {dict(lost)}; "
          f"events {events}")
    assert placed <= stored_orders and len(stored_orders - placed) <= lost["checkout"]
    assert paid <= stored_paid and len(stored_paid - paid) <= lost["pay"]
    assert events["order.created"] == len(stored_orders) == len(set(created_keys))
    assert events["payment.succeeded"] == len(stored_paid)
