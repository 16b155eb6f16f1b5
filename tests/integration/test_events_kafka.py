"""Use cases -> outbox -> relay -> Tansu -> consumer group, end to end, outages included."""

from __future__ import annotations

import io
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shopcore import App
from shopcore.adapters.kafka.consumer import KafkaEventConsumer
from shopcore.adapters.kafka.topics import SHOPCORE_TOPICS
from shopcore.application.events import RelayOutbox
from shopcore.application.viewer import Viewer
from shopcore.domain.errors import PaymentDeclined
from shopcore.domain.events import EVENT_TYPES
from shopcore.ports.events import Envelope, EventPublisher, PublishOutcome
from tests.helpers import make_settings
from tests.integration.broker import TansuBroker


@pytest.fixture
def shop(kafka_broker: TansuBroker, sqlite_template: Path, tmp_path: Path) -> Iterator[App]:
    """shopcore on SQLite whose relay publishes to the test broker."""
    path = tmp_path / "shop.sqlite3"
    shutil.copy(sqlite_template, path)
    app = App(make_settings(f"sqlite:///{path}", event_bus="kafka", password_hasher="plain",
                            kafka_bootstrap_servers=kafka_broker.bootstrap_servers))
    yield app
    app.close()


@dataclass
class Received:
    """What a consumer group's handlers saw, and the duplicates its dedupe dropped."""

    handled: list[dict[str, Any]] = field(default_factory=list)
    duplicates: int = 0


def consume(shop: App, broker: TansuBroker, expected: int, group: str = "test-group") -> Received:
    received = Received()
    shop.container.adapters.event_handlers.add_args(received.handled.append)

    def handle(message: dict[str, Any]) -> None:
        if not shop.handle_event(consumer=group, message=message):
            received.duplicates += 1

    consumer = KafkaEventConsumer(broker.bootstrap_servers, group=group, topics=SHOPCORE_TOPICS,
                                  from_beginning=True, handle=handle, out=io.StringIO())
    consumer.run(max_messages=expected, idle_timeout_s=5)
    return received


def drain(shop: App) -> int:
    total = 0
    while (result := shop.relay_outbox()).published:
        total += result.published
    return total


def _epoch() -> datetime:
    return datetime(2000, 1, 1, tzinfo=UTC)


def stored(shop: App) -> list[Envelope]:
    with shop.container.adapters.uow() as uow:
        return [m.envelope for m in uow.outbox.since(_epoch())]


def make_activity(shop: App, users: int = 3) -> None:
    """Users register, a product changes, carts fill and check out, orders move."""
    ids = [shop.register_user(username=f"user{n}", email=f"user{n}@example.com",
                              password="correct-horse").id for n in range(users)]
    assert ids[0] is not None
    shop.request_password_reset(email="user0@example.com", client="10.0.0.1")
    shop.update_profile(user_id=ids[0], email="user0@new.example", current_password="correct-horse")
    category = shop.create_category(name="Books").category
    assert category.id is not None
    product = shop.create_product(name="Dune", price=Decimal("9.99"), category_id=category.id,
                                  stock=5)
    assert product.id is not None
    shop.update_product(product_id=product.id, stock=4)
    shop.update_product(product_id=product.id, price=Decimal("8.99"))
    for user_id in ids[:2]:
        assert user_id is not None
        shop.add_to_cart(user_id=user_id, product_id=product.id, quantity=1)
        order = shop.place_order(user_id=user_id)
        assert order.id is not None
        shop.cancel_order(order_id=order.id, viewer=Viewer(user_id))
    buyer = ids[2]
    assert buyer is not None
    shop.add_to_cart(user_id=buyer, product_id=product.id, quantity=1)
    paid = shop.place_order(user_id=buyer)
    assert paid.id is not None
    with pytest.raises(PaymentDeclined):
        shop.process_payment(user_id=buyer, order_id=paid.id,
                             payment_method_id="pm_card_chargeDeclined")
    shop.process_payment(user_id=buyer, order_id=paid.id, payment_method_id="pm_card_visa")
    shop.refund_order(order_id=paid.id, amount=Decimal("1.00"), viewer=Viewer(0, is_staff=True))
    shop.delete_product(product_id=product.id)


def per_key_sequences(messages: Sequence[dict[str, Any]]) -> dict[tuple[str, str], list[int]]:
    keys: dict[tuple[str, str], list[int]] = {}
    for m in messages:
        keys.setdefault((m["type"].split(".")[0], m["key"]), []).append(m["sequence"])
    return keys


def test_every_event_arrives_at_a_group_exactly_once_after_dedupe_in_order_per_key(
    shop: App, kafka_broker: TansuBroker
) -> None:
    make_activity(shop)
    produced = stored(shop)
    assert drain(shop) == len(produced) == 29
    replay = shop.replay_events(since=_epoch())
    assert replay.published == len(produced)

    received = consume(shop, kafka_broker, expected=2 * len(produced))

    ids = [m["event_id"] for m in received.handled]
    assert sorted(ids) == sorted(e.event_id for e in produced)
    assert received.duplicates == len(produced)
    assert {m["type"] for m in received.handled} == set(EVENT_TYPES)
    for sequences in per_key_sequences(received.handled).values():
        assert sequences == sorted(sequences)
    print(f"\nfigures: produced {len(produced)}, delivered twice (replay) "
          f"{replay.published + len(produced)}, handled {len(ids)}, "
          f"duplicates dropped {received.duplicates}")


def test_with_the_broker_down_registrations_succeed_and_their_events_arrive_after_restart(
    shop: App, kafka_broker: TansuBroker
) -> None:
    kafka_broker.stop()
    for n in range(5):
        shop.register_user(username=f"outage{n}", email=f"o{n}@example.com",
                           password="correct-horse")
    during = shop.relay_outbox()
    status = shop.outbox_status()
    assert (during.published, during.failed) == (0, 5)
    assert status.unsent == 5
    assert status.last_error
    assert shop.container.adapters.event_publisher().check() == "down"

    kafka_broker.restart()
    delivered = drain(shop)
    received = consume(shop, kafka_broker, expected=5)

    assert delivered == 5
    assert shop.outbox_status().unsent == 0
    assert sorted(m["payload"]["username"] for m in received.handled) == [
        f"outage{n}" for n in range(5)]
    assert received.duplicates == 0
    print(f"\nfigures: produced 5 during the outage, relayed during it {during.published}, "
          f"delivered after restart {delivered}, handled {len(received.handled)}, "
          f"duplicates dropped {received.duplicates}")


class KilledAfterPublishing:
    """A bus whose relay dies right after the broker acknowledged, before marking sent."""

    def __init__(self, real: EventPublisher) -> None:
        self.real = real

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome:
        self.real.publish(envelopes)
        raise KeyboardInterrupt("relay killed between publish and mark-sent")

    def check(self) -> str:
        return self.real.check()


def test_a_relay_killed_between_publish_and_mark_sent_causes_a_duplicate_the_consumer_drops(
    shop: App, kafka_broker: TansuBroker
) -> None:
    shop.register_user(username="ada", email="ada@example.com", password="correct-horse")
    real = shop.container.adapters.event_publisher()
    dying = RelayOutbox(shop.container.adapters.uow, KilledAfterPublishing(real),
                        shop.container.core.clock())

    with pytest.raises(KeyboardInterrupt):
        dying()
    assert shop.outbox_status().unsent == 1
    assert drain(shop) == 1
    received = consume(shop, kafka_broker, expected=2)

    assert [m["type"] for m in received.handled] == ["user.registered"]
    assert received.duplicates == 1
