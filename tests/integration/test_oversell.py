"""No oversell: 50 buyers check out the last 10 units at once, on PostgreSQL and on SQLite.

Each buyer has its own App, hence its own engine and connection, as separate server
processes would; a barrier releases every checkout together.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select

from shopcore import App
from shopcore.adapters.sqlalchemy.tables import cart_items, order_items, orders, outbox, products
from shopcore.domain.order import Order, Status
from shopcore.entrypoints.http.errors import DOMAIN_STATUS
from shopcore.settings import Settings
from tests.helpers import make_settings, truncate_postgres

BUYERS = 50
STOCK = 10


@dataclass
class Race:
    """What the buyers got back, and every stock level seen while they raced."""

    orders: list[Order] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    unexpected: list[BaseException] = field(default_factory=list)
    stock_seen: list[int] = field(default_factory=list)
    seconds: float = 0.0


def arrange(settings: Settings) -> tuple[int, list[int]]:
    """A product with STOCK units and BUYERS users with one of it in their cart."""
    with App(settings) as app:
        category = app.create_category(name="Limited editions").category
        product = app.create_product(name="Signed first edition", price=Decimal("250.00"),
                                     category_id=category.id, stock=STOCK)
        user_ids = []
        for n in range(BUYERS):
            user = app.register_user(username=f"buyer{n:02d}", email=f"buyer{n:02d}@example.com",
                                     password="correct-horse")
            app.add_to_cart(user_id=user.id, product_id=product.id, quantity=1)
            user_ids.append(user.id)
    return product.id, user_ids


def watch_stock(url: str, product_id: int, done: threading.Event, seen: list[int]) -> None:
    """Read the stock over and over, outside any checkout, until the race is over."""
    engine = create_engine(url)
    try:
        while not done.is_set():
            with engine.connect() as connection:
                seen.append(connection.scalar(
                    select(products.c.stock).where(products.c.id == product_id)))
            time.sleep(0.002)
    finally:
        engine.dispose()


def race(settings: Settings, product_id: int, user_ids: list[int]) -> Race:
    """Every buyer checks out at the same moment, each through its own App."""
    result = Race()
    barrier = threading.Barrier(len(user_ids))
    with ExitStack() as stack:
        apps = [stack.enter_context(App(settings)) for _ in user_ids]
        for app, user_id in zip(apps, user_ids, strict=True):
            assert app.get_cart(user_id=user_id).item_count == 1  # and the connection is open

        def buy(app: App, user_id: int) -> Order:
            barrier.wait(timeout=60)
            order: Order = app.place_order(user_id=user_id)
            return order

        done = threading.Event()
        watcher = threading.Thread(target=watch_stock, args=(
            settings.database_url, product_id, done, result.stock_seen))
        watcher.start()
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=len(user_ids)) as pool:
            futures = [pool.submit(buy, app, user_id)
                       for app, user_id in zip(apps, user_ids, strict=True)]
            for future in futures:
                exc = future.exception(timeout=120)
                if exc is None:
                    result.orders.append(future.result())
                    result.statuses[201] += 1
                else:
                    result.statuses[DOMAIN_STATUS.get(type(exc), 500)] += 1
                    if type(exc) not in DOMAIN_STATUS:
                        result.unexpected.append(exc)
        result.seconds = time.perf_counter() - started
        done.set()
        watcher.join(30)
    return result


def stored(url: str, product_id: int) -> dict[str, int]:
    """The figures as the database has them after the race."""
    engine = create_engine(url)
    with engine.connect() as connection:
        figures = {
            "stock": connection.scalar(select(products.c.stock)
                                       .where(products.c.id == product_id)),
            "negative stocks": connection.scalar(select(func.count()).select_from(products)
                                                 .where(products.c.stock < 0)),
            "orders": connection.scalar(select(func.count()).select_from(orders)),
            "pending orders": connection.scalar(select(func.count()).select_from(orders)
                                                .where(orders.c.status == Status.PENDING)),
            "units ordered": connection.scalar(select(func.coalesce(func.sum(
                order_items.c.quantity), 0)).where(order_items.c.product_id == product_id)),
            "carts still holding it": connection.scalar(
                select(func.count()).select_from(cart_items)
                .where(cart_items.c.product_id == product_id)),
            "order.created events": connection.scalar(select(func.count()).select_from(outbox)
                                                      .where(outbox.c.type == "order.created")),
        }
    engine.dispose()
    return {name: int(value) for name, value in figures.items()}


def check_no_oversell(settings: Settings, database: str) -> None:
    product_id, user_ids = arrange(settings)

    result = race(settings, product_id, user_ids)
    after = stored(settings.database_url, product_id)

    print(f"\n{database}: {BUYERS} checkouts for {STOCK} in stock in {result.seconds:.2f}s -> "
          f"{len(result.orders)} orders, {result.statuses[409]} answered 409, "
          f"{sum(n for code, n in result.statuses.items() if code >= 500)} 5xx; "
          f"final stock {after['stock']}, lowest seen {min(result.stock_seen, default=STOCK)} "
          f"over {len(result.stock_seen)} reads; {after}")
    assert result.unexpected == []
    assert result.statuses == {201: STOCK, 409: BUYERS - STOCK}
    assert len({order.user_id for order in result.orders}) == STOCK
    assert all(order.status is Status.PENDING and order.total.amount == Decimal("250.00")
               for order in result.orders)
    assert after == {"stock": 0, "negative stocks": 0, "orders": STOCK, "pending orders": STOCK,
                     "units ordered": STOCK, "carts still holding it": BUYERS - STOCK,
                     "order.created events": STOCK}
    assert result.stock_seen
    assert min(result.stock_seen) >= 0


@pytest.mark.postgres
def test_fifty_buyers_never_oversell_ten_units_on_postgresql(postgres_url: str) -> None:
    truncate_postgres(postgres_url)
    check_no_oversell(make_settings(postgres_url, password_hasher="plain"), "PostgreSQL")


def test_fifty_buyers_never_oversell_ten_units_on_sqlite(sqlite_template: Path,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    check_no_oversell(make_settings(f"sqlite:///{path}", password_hasher="plain"), "SQLite")

