"""`shopcore orders expire|graph`, and the Periodic helper that expires orders in `serve`."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shopcore import App
from shopcore.adapters.clock import FixedClock
from shopcore.application.viewer import Viewer
from shopcore.domain.order import TRANSITIONS, Status
from shopcore.entrypoints.relay import Periodic
from shopcore.settings import Settings


def pending_order(env: dict[str, str], *, minutes_ago: int, stock: int = 5,
                  quantity: int = 2) -> tuple[int, int]:
    """A customer's order placed `minutes_ago` and still pending: (order id, product id)."""
    name = f"buyer{minutes_ago}"
    with App(Settings.from_env(env, dotenv=None).with_(password_hasher="plain")) as app:
        app.container.core.clock.override(
            FixedClock(datetime.now(UTC) - timedelta(minutes=minutes_ago)))
        user = app.register_user(username=name, email=f"{name}@example.com",
                                 password="correct-horse")
        category = app.create_category(name=f"Books {name}").category
        product = app.create_product(name=f"Dune {name}", price=Decimal("9.99"),
                                     category_id=category.id, stock=stock)
        app.add_to_cart(user_id=user.id, product_id=product.id, quantity=quantity)
        order = app.place_order(user_id=user.id)
    assert order.status is Status.PENDING
    return order.id, product.id


def status_and_stock(env: dict[str, str], order_id: int, product_id: int) -> tuple[Status, int]:
    with App(Settings.from_env(env, dotenv=None)) as app:
        order = app.get_order(order_id=order_id, viewer=Viewer(0, is_staff=True))
        product = app.get_product(product_id=product_id)
    return order.status, product.stock


def test_graph_prints_a_mermaid_state_diagram_with_every_transition(shopcore: Any) -> None:
    result = shopcore("orders", "graph")

    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.output.splitlines()]
    assert lines[0] == "stateDiagram-v2"
    assert "[*] --> pending" in lines
    for frm, to in TRANSITIONS:
        assert any(line.startswith(f"{frm} --> {to}:") for line in lines), (frm, to)


def test_expire_cancels_orders_pending_too_long_and_puts_their_stock_back(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    old, old_product = pending_order(migrated, minutes_ago=45)
    fresh, fresh_product = pending_order(migrated, minutes_ago=5)

    result = shopcore("orders", "expire")

    assert result.exit_code == 0, result.output
    assert "cancelled 1 unpaid order(s) pending for more than 30 minute(s)" in result.output
    assert status_and_stock(migrated, old, old_product) == (Status.CANCELLED, 5)
    assert status_and_stock(migrated, fresh, fresh_product) == (Status.PENDING, 3)


def test_expire_older_than_overrides_the_setting_and_works_through_every_batch(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    placed = [pending_order(migrated, minutes_ago=m) for m in (1, 2, 3)]

    result = shopcore("orders", "expire", "--older-than", "0", "--batch", "2")
    again = shopcore("orders", "expire", "--older-than", "0")

    assert result.exit_code == 0, result.output
    assert "cancelled 3 unpaid order(s) pending for more than 0 minute(s)" in result.output
    assert "cancelled 0 unpaid order(s)" in again.output
    for order_id, product_id in placed:
        assert status_and_stock(migrated, order_id, product_id) == (Status.CANCELLED, 5)


def test_expire_refuses_the_in_memory_database(shopcore: Any) -> None:
    result = shopcore("orders", "expire", SHOPCORE_DATABASE_URL="memory://")

    assert result.exit_code == 1
    assert "SHOPCORE_DATABASE_URL is memory://" in result.output


def test_expire_rejects_a_negative_age(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("orders", "expire", "--older-than", "-5")

    assert result.exit_code == 2


def test_periodic_runs_the_job_again_and_again_and_survives_its_failures(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []
    twice_more = threading.Event()

    def job() -> None:
        calls.append(len(calls))
        if len(calls) >= 4:
            twice_more.set()
        if len(calls) % 2:
            raise RuntimeError("database is down")

    periodic = Periodic(job, every=0.01, name="test-periodic")
    thread = periodic.start()
    try:
        assert twice_more.wait(10), f"ran only {len(calls)} time(s)"
    finally:
        periodic.stop.set()
        thread.join(10)

    assert not thread.is_alive()
    assert thread.daemon
    assert len(calls) >= 4
    failures = [r for r in caplog.records if r.name == "shopcore.relay"]
    assert failures
    assert "test-periodic failed" in failures[0].getMessage()
    assert failures[0].exc_info is not None


def test_periodic_stops_when_told_even_during_a_long_wait() -> None:
    ran = threading.Event()
    periodic = Periodic(ran.set, every=3600)
    thread = periodic.start()

    assert ran.wait(10)
    periodic.stop.set()
    thread.join(10)

    assert not thread.is_alive()
