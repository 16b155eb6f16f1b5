"""The outbox on every store, and relays running side by side on PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from shopcore.adapters.clock import SystemClock
from shopcore.adapters.sqlalchemy.engine import make_engine
from shopcore.adapters.sqlalchemy.tables import outbox
from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from shopcore.application.events import RelayOutbox
from shopcore.ports.events import Envelope, PublishOutcome
from tests.helpers import UowFactory, truncate_postgres

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def envelope(key: str, sequence: int, topic: str = "shopcore.users") -> Envelope:
    return Envelope(event_id=f"{topic}-{key}-{sequence}", type="user.registered", version=1,
                    occurred_at=NOW + timedelta(seconds=sequence), key=key,
                    payload={"n": sequence, "text": "ünïcode"}, topic=topic, sequence=sequence)


def store(new_uow: UowFactory, envelopes: Sequence[Envelope]) -> None:
    with new_uow() as uow:
        for e in envelopes:
            uow.outbox.add(e)
        uow.commit()


def test_claim_gives_the_oldest_unsent_event_of_each_key_only(new_uow: UowFactory) -> None:
    store(new_uow, [envelope("1", 1), envelope("2", 1), envelope("1", 2),
                    envelope("1", 1, "shopcore.catalog")])
    with new_uow() as uow:
        claimed = uow.outbox.claim(10)
        assert [m.envelope.event_id for m in claimed] == [
            "shopcore.users-1-1", "shopcore.users-2-1", "shopcore.catalog-1-1"]
        assert claimed[0].envelope == envelope("1", 1)
        uow.outbox.mark_published([claimed[0].id], NOW)
        uow.outbox.mark_failed([claimed[1].id], "broker down")
        uow.commit()
    with new_uow() as uow:
        assert [m.envelope.event_id for m in uow.outbox.claim(10)] == [
            "shopcore.users-2-1", "shopcore.users-1-2", "shopcore.catalog-1-1"]
        stats = uow.outbox.stats()
        assert (stats.unsent, stats.published, stats.last_error) == (3, 1, "broker down")
        assert stats.oldest_unsent == NOW + timedelta(seconds=1)
        assert uow.outbox.next_sequence("shopcore.users", "1") == 3
        assert uow.outbox.next_sequence("shopcore.users", "9") == 1


def test_bulk_adds_keep_their_order_and_next_sequences_looks_up_many_keys_at_once(
    new_uow: UowFactory,
) -> None:
    with new_uow() as uow:
        uow.outbox.add_many([envelope("1", 1), envelope("2", 1), envelope("1", 2)])
        uow.outbox.add_many([])
        uow.commit()
    with new_uow() as uow:
        assert [m.envelope.event_id for m in uow.outbox.since(NOW)] == [
            "shopcore.users-1-1", "shopcore.users-2-1", "shopcore.users-1-2"]
        assert uow.outbox.next_sequences("shopcore.users", ["1", "2", "3"]) == {
            "1": 3, "2": 2, "3": 1}
        assert uow.outbox.next_sequences("shopcore.catalog", ["1"]) == {"1": 1}
        assert uow.outbox.next_sequences("shopcore.users", []) == {}


def test_stored_events_are_found_again_by_time_and_topic(new_uow: UowFactory) -> None:
    store(new_uow, [envelope("1", 1), envelope("1", 2), envelope("5", 1, "shopcore.catalog")])
    with new_uow() as uow:
        found = uow.outbox.since(NOW + timedelta(seconds=2))
        assert [m.envelope.event_id for m in found] == ["shopcore.users-1-2"]
        assert len(uow.outbox.since(NOW, ["shopcore.catalog"])) == 1


def test_processed_events_are_remembered_per_consumer(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.processed_events.add("search", "e-1", NOW)
        uow.processed_events.add("search", "e-1", NOW)
        uow.commit()
    with new_uow() as uow:
        assert uow.processed_events.seen("search", "e-1")
        assert not uow.processed_events.seen("mail", "e-1")


class SlowRecordingBus:
    """A bus that takes its time, so that two relays really overlap."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.received: list[Envelope] = []

    def publish(self, envelopes: Sequence[Envelope]) -> PublishOutcome:
        time.sleep(0.01)
        with self.lock:
            self.received.extend(envelopes)
        return PublishOutcome(delivered={e.event_id for e in envelopes})

    def check(self) -> str:
        return "up"


def test_two_relays_on_postgresql_never_publish_a_row_twice_nor_reorder_a_key(
    postgres_url: str,
) -> None:
    truncate_postgres(postgres_url)
    engine = make_engine(postgres_url)
    keys, per_key = 20, 10
    store(lambda: SqlUnitOfWork(engine),
          [envelope(str(k), s) for s in range(1, per_key + 1) for k in range(keys)])
    bus = SlowRecordingBus()
    relays = [RelayOutbox(lambda: SqlUnitOfWork(engine), bus, SystemClock()) for _ in range(2)]
    published = [0, 0]

    def run(index: int) -> None:
        idle = 0
        while idle < 3:
            result = relays[index](limit=7)
            published[index] += result.published
            idle = idle + 1 if result.published == 0 else 0

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)

    ids = [e.event_id for e in bus.received]
    assert len(ids) == len(set(ids)) == keys * per_key
    assert all(published), f"both relays should have worked: {published}"
    for key in map(str, range(keys)):
        assert [e.sequence for e in bus.received if e.key == key] == list(range(1, per_key + 1))
    with engine.connect() as connection:
        unsent = connection.scalar(select(func.count()).select_from(outbox)
                                   .where(outbox.c.published_at.is_(None)))
    assert unsent == 0
    engine.dispose()


def test_a_registration_through_the_api_is_stored_then_logged_by_the_in_process_relay(
    shop: Any, caplog: pytest.LogCaptureFixture
) -> None:
    user = shop.register("ada")
    relay = shop.container.use_cases.relay_outbox

    with caplog.at_level("INFO", logger="shopcore.events"):
        assert relay()().published == 1

    [line] = [r.getMessage() for r in caplog.records if r.name == "shopcore.events"]
    assert "user.registered" in line
    assert f"key={user['id']}" in line
    assert shop.container.use_cases.outbox_status()().unsent == 0


def test_a_product_written_by_staff_over_http_records_product_changed(shop: Any) -> None:
    staff = shop.staff()
    category = shop.client.post("/api/categories/", json={"name": "Books"}, headers=staff)
    product = shop.client.post("/api/products/", headers=staff, json={
        "name": "Dune", "description": "", "price": "9.99",
        "category": category.get_json()["id"]}).get_json()
    shop.client.patch(f"/api/products/{product['id']}/", json={"stock": 4}, headers=staff)
    shop.client.delete(f"/api/products/{product['id']}/", headers=staff)

    with shop.container.adapters.uow() as uow:
        found = [m.envelope for m in uow.outbox.since(NOW)]
    changes = [(e.type, e.key, e.sequence, e.payload["change"]) for e in found
               if e.topic == "shopcore.catalog"]
    key = str(product["id"])
    assert changes == [("product.changed", key, 1, "created"),
                       ("product.changed", key, 2, "updated"),
                       ("product.changed", key, 3, "deleted")]
