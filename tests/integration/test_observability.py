"""Request ids, JSON logs, correlation ids in the outbox, and `/metrics` when switched on."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from shopcore.adapters.memory.cart_cache import LruCartCache
from shopcore.adapters.prometheus.decorators import CountedCartCache
from shopcore.adapters.prometheus.metrics import shop_metrics
from shopcore.adapters.redis.cart_cache import RedisCartCache
from shopcore.adapters.sqlalchemy.tables import outbox
from shopcore.domain.cart import CartView
from shopcore.entrypoints.http import create_app
from shopcore.entrypoints.logs import JsonFormatter, RequestIdFilter
from shopcore.settings import Settings
from tests.helpers import Headers, make_settings, shop_of

REGISTER = "/api/users/register/"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in a scrape (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and all(found.labels.get(k) == v for k, v in labels.items()):
                return float(found.value)
    return 0.0


def register(client: Any, name: str, request_id: str | None = None) -> Any:
    headers = {"X-Request-ID": request_id} if request_id else {}
    return client.post(REGISTER, headers=headers, json={
        "username": name, "email": f"{name}@example.com", "password": "correct-horse-1"})


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    """The root logger's records, formatted as SHOPCORE_LOG_FORMAT=json formats them."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_well_formed_request_id_is_kept_and_any_other_replaced(client: Any) -> None:
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    spaced = client.get("/healthz", headers={"X-Request-ID": "two words"})
    long = client.get("/healthz", headers={"X-Request-ID": "a" * 65})
    none = client.get("/api/products/")

    assert kept.headers["X-Request-ID"] == "lb-7f3a.42"
    for response in (spaced, long, none):
        assert len(response.headers["X-Request-ID"]) == 32
    assert spaced.headers["X-Request-ID"] != long.headers["X-Request-ID"]


def test_an_error_answer_carries_the_request_id_too(client: Any) -> None:
    response = client.get("/api/products/999999/", headers={"X-Request-ID": "req-404"})
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "req-404"


def test_events_caused_by_a_request_store_its_id_as_correlation_id(client: Any) -> None:
    assert register(client, "ada", "checkout-trace-1").status_code == 201
    assert register(client, "bob").status_code == 201

    with shop_of(client.application).container.gateways.engine().connect() as connection:
        rows = {r.type + ":" + r.payload["username"]: r.correlation_id
                for r in connection.execute(outbox.select())}
    with shop_of(client.application).container.adapters.uow() as uow:
        [message] = [m.envelope.to_message() for m in uow.outbox.claim(10)
                     if m.envelope.payload["username"] == "ada"]
    assert rows["user.registered:ada"] == "checkout-trace-1"
    assert rows["user.registered:bob"] and len(rows["user.registered:bob"]) == 32
    assert message["correlation_id"] == "checkout-trace-1"


def test_a_json_log_line_of_a_request_has_its_id_route_status_and_duration(
    database_url: str, log_lines: io.StringIO
) -> None:
    app = create_app(make_settings(database_url, access_log=True))
    try:
        app.test_client().get("/api/products/5/", headers={"X-Request-ID": "json-line-1"})
    finally:
        shop_of(app).close()

    entries = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    [access] = [e for e in entries if e["logger"] == "shopcore.access"]
    assert access["request_id"] == "json-line-1"
    assert access["route"] == "/api/products/<product_id>/"
    assert access["status"] == 404
    assert access["duration"] >= 0
    assert {"time", "level", "message"} <= set(access)


def test_metrics_are_off_by_default(client: Any) -> None:
    assert client.get("/metrics").status_code == 404


class TestWithMetricsOn:
    @pytest.fixture
    def settings(self, database_url: str) -> Settings:
        return make_settings(database_url, metrics=True, payment_provider="memory")

    def test_requests_are_counted_by_route_template_method_and_status(
        self, client: Any
    ) -> None:
        labels = {"route": "/api/products/<product_id>/", "method": "GET", "status": "404"}
        before = client.get("/metrics").get_data(as_text=True)
        for product_id in (7001, 7002, 7003):
            client.get(f"/api/products/{product_id}/")
        after = client.get("/metrics").get_data(as_text=True)

        name = "shopcore_http_requests_total"
        assert sample(after, name, **labels) - sample(before, name, **labels) == 3
        latency = "shopcore_http_request_duration_seconds_count"
        route = labels["route"]
        assert sample(after, latency, route=route) - sample(before, latency, route=route) == 3
        assert "/api/products/7001/" not in after

    def test_the_outbox_backlog_and_its_oldest_age_are_read_at_scrape_time(
        self, client: Any
    ) -> None:
        register(client, "carol")
        text = client.get("/metrics").get_data(as_text=True)

        assert sample(text, "shopcore_outbox_unsent_events") == 1
        assert sample(text, "shopcore_outbox_oldest_unsent_age_seconds") >= 0
        assert sample(text, "shopcore_outbox_readable") == 1

    def test_cart_cache_lookups_and_payment_outcomes_are_counted(
        self, client: Any, alice: Headers, dune: dict[str, Any]
    ) -> None:
        before = client.get("/metrics").get_data(as_text=True)
        client.get("/api/cart/", headers=alice)
        client.get("/api/cart/", headers=alice)
        client.post("/api/cart/add/", json={"product_id": dune["id"], "quantity": 1},
                    headers=alice)
        order = client.post("/api/orders/create/", headers=alice).get_json()
        paid = client.post("/api/payments/process/", headers=alice,
                           json={"order_id": order["id"], "payment_method_id": "pm_card_visa"})
        after = client.get("/metrics").get_data(as_text=True)

        def grew(name: str, **labels: str) -> float:
            return sample(after, name, **labels) - sample(before, name, **labels)

        assert paid.status_code == 201
        assert grew("shopcore_cart_cache_lookups_total", result="miss") >= 1
        assert grew("shopcore_cart_cache_lookups_total", result="hit") >= 1
        assert grew("shopcore_payments_total", provider="memory", outcome="succeeded") == 1


def cache_lookups(result: str) -> float:
    return sample(generate_latest(shop_metrics().registry).decode(),
                  "shopcore_cart_cache_lookups_total", result=result)


def test_the_counted_cache_tells_hits_misses_and_reads_that_found_redis_down() -> None:
    counter = shop_metrics().cart_cache
    before = {r: cache_lookups(r) for r in ("hit", "miss", "error")}
    working = CountedCartCache(LruCartCache(ttl_seconds=60), counter)
    down = CountedCartCache(RedisCartCache("redis://127.0.0.1:1/0"), counter)
    view = CartView(items=[], total=Decimal("0.00"), currency="USD", item_count=0, problems=[])

    first = working.get(5)
    working.put(5, view, first.generation)
    assert working.get(5).value == view
    assert down.get(5).value is None

    grew = {r: cache_lookups(r) - before[r] for r in before}
    assert grew == {"hit": 1, "miss": 1, "error": 1}
