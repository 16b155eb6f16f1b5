"""Events are recorded with the change, relayed in order per aggregate, handled once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from shopcore import App
from shopcore.adapters.inprocess.events import InProcessPublisher, MemoryPublisher
from shopcore.domain.errors import Conflict
from shopcore.domain.events import UserRegistered
from shopcore.entrypoints.cli.events import parse_since
from shopcore.entrypoints.relay import RelayLoop


@pytest.fixture
def app() -> App:
    return App.in_memory(password_hasher="plain")


def bus(app: App) -> MemoryPublisher:
    publisher: MemoryPublisher = app.container.adapters.event_publisher()
    return publisher


def drain(app: App) -> int:
    total = 0
    while (result := app.relay_outbox()).published:
        total += result.published
    return total


def a_product(app: App) -> int:
    category = app.create_category(name="Books")
    assert category.category.id is not None
    product = app.create_product(name="Dune", price=Decimal("9.99"),
                                 category_id=category.category.id, stock=3)
    assert product.id is not None
    return product.id


def test_registering_stores_user_registered_in_the_outbox_with_the_api_envelope(
    app: App,
) -> None:
    user = app.register_user(username="ada", email="ada@example.com", password="correct-horse")
    assert app.outbox_status().unsent == 1

    drain(app)

    [envelope] = bus(app).published
    message = envelope.to_message()
    assert set(message) >= {"event_id", "type", "version", "occurred_at", "key", "payload"}
    assert (message["type"], message["version"], message["key"]) == (
        "user.registered", 1, str(user.id))
    assert message["payload"] == {"user_id": user.id, "username": "ada",
                                  "email": "ada@example.com"}
    assert message["occurred_at"].endswith("Z")
    assert envelope.topic == "shopcore.users"
    assert app.outbox_status().unsent == 0


def test_a_rolled_back_change_leaves_no_event(app: App) -> None:
    app.register_user(username="ada", email="ada@example.com", password="correct-horse")
    with pytest.raises(Conflict):
        app.register_user(username="ada", email="other@example.com", password="correct-horse")
    uow = app.container.adapters.uow()
    with uow:
        user = uow.users.by_username("ada")
        assert user is not None
        user.record(UserRegistered(user_id=99, username="ghost", email="g@example.com"))
        uow.users.save(user)
    assert app.outbox_status().unsent == 1


def test_one_products_events_are_numbered_and_relayed_in_the_order_they_happened(
    app: App,
) -> None:
    product_id = a_product(app)
    app.update_product(product_id=product_id, stock=2)
    app.delete_product(product_id=product_id)

    assert drain(app) == 3

    changes = [(e.sequence, e.payload["change"]) for e in bus(app).published]
    assert changes == [(1, "created"), (2, "updated"), (3, "deleted")]


def test_while_the_bus_is_down_events_wait_and_all_arrive_in_order_after(app: App) -> None:
    bus(app).down = True
    for n in range(3):
        app.register_user(username=f"user{n}", email=f"u{n}@example.com",
                          password="correct-horse")
    result = app.relay_outbox()
    status = app.outbox_status()
    assert (result.published, result.failed) == (0, 3)
    assert (status.unsent, status.last_error) == (3, "bus is down")

    bus(app).down = False
    assert drain(app) == 3
    assert [e.payload["username"] for e in bus(app).published] == ["user0", "user1", "user2"]
    assert app.outbox_status().last_error is None


def test_a_failing_in_process_handler_keeps_the_event_for_the_next_pass() -> None:
    calls: list[str] = []

    def flaky(message: dict[str, Any]) -> None:
        calls.append(message["type"])
        if len(calls) == 1:
            raise RuntimeError("index unavailable")

    app = App.in_memory(password_hasher="plain", event_bus="inprocess")
    app.container.adapters.event_publisher.override(InProcessPublisher([flaky]))
    app.register_user(username="ada", email="ada@example.com", password="correct-horse")

    first = app.relay_outbox()
    second = app.relay_outbox()

    assert (first.published, first.failed, second.published) == (0, 1, 1)
    assert calls == ["user.registered", "user.registered"]


def test_a_consumer_handles_an_event_once_however_often_it_arrives() -> None:
    handled: list[str] = []
    app = App.in_memory(password_hasher="plain")
    app.container.adapters.event_handlers.add_args(lambda m: handled.append(m["event_id"]))
    message = {"event_id": "e-1", "type": "user.registered", "key": "1", "payload": {}}

    assert app.handle_event(consumer="search", message=message) is True
    assert app.handle_event(consumer="search", message=message) is False
    assert app.handle_event(consumer="mailer", message=message) is True
    assert handled == ["e-1", "e-1"]


def test_replay_publishes_stored_events_again_from_a_moment(app: App) -> None:
    app.register_user(username="ada", email="ada@example.com", password="correct-horse")
    a_product(app)
    drain(app)

    result = app.replay_events(since=datetime.now(UTC) - timedelta(hours=1),
                               topics=["shopcore.catalog"])

    assert (result.published, result.failed) == (1, 0)
    assert [e.type for e in bus(app).published] == [
        "user.registered", "product.changed", "product.changed"]


def test_the_relay_loop_backs_off_while_failing_and_resets_after(app: App) -> None:
    bus(app).down = True
    app.register_user(username="ada", email="ada@example.com", password="correct-horse")
    loop = RelayLoop(lambda: app.relay_outbox(), interval=0.5, max_backoff=4)

    waits = [loop.step() for _ in range(5)]
    bus(app).down = False
    after = [loop.step(), loop.step()]

    assert waits == [0.5, 1.0, 2.0, 4.0, 4.0]
    assert after == [0.0, 0.5]


@pytest.mark.parametrize(("text", "ago"), [("30m", timedelta(minutes=30)),
                                           ("2h", timedelta(hours=2)),
                                           ("7d", timedelta(days=7))])
def test_since_takes_a_duration_back_from_now(text: str, ago: timedelta) -> None:
    moment = parse_since(text)
    assert abs((datetime.now(UTC) - ago - moment).total_seconds()) < 5


def test_since_takes_an_iso_time_naive_as_utc() -> None:
    assert parse_since("2026-01-02T03:04:05") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert parse_since("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
