"""After a Redis outage no worker serves a stale cart: two apps, one database, one Redis.

The apps reach the real Redis through a TCP proxy the test cuts and restores. A cart
changed on one app while Redis is out of reach cannot invalidate it; once Redis answers
again, that app moves the cache epoch on, so the other app's cached copy reads as a miss.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from shopcore.entrypoints.http import create_app
from tests.helpers import (
    REDIS_TEST_URL,
    Headers,
    Shop,
    make_category,
    make_product,
    make_settings,
    shop_of,
)
from tests.tcp_proxy import TcpProxy

pytestmark = pytest.mark.redis


@pytest.fixture
def plain(redis_url: str) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    for key in client.scan_iter("cart:*"):  # this test's Redis database: its users are 1, 2...
        client.delete(key)
    yield client
    client.close()


@pytest.fixture
def proxy(plain: redis.Redis) -> Iterator[TcpProxy]:
    address = plain.connection_pool.connection_kwargs
    with TcpProxy((address["host"], address["port"])) as running:
        yield running


@pytest.fixture
def two_apps(database_url: str, proxy: TcpProxy) -> Iterator[tuple[Any, Any]]:
    database = REDIS_TEST_URL.rsplit("/", 1)[1]
    settings = make_settings(database_url,
                             redis_url=f"redis://127.0.0.1:{proxy.port}/{database}")
    apps = (create_app(settings), create_app(settings))
    yield apps
    for app in apps:
        shop_of(app).close()


def quantity(app: Any, headers: Headers) -> int:
    response = app.test_client().get("/api/cart/", headers=headers)
    assert response.status_code == 200, response.get_json()
    return int(response.get_json()["item_count"])


def wait_for_change(plain: redis.Redis, key: str, before: str | None, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while plain.get(key) == before and time.monotonic() < deadline:
        time.sleep(0.05)


def test_a_cart_changed_on_one_worker_during_an_outage_is_not_served_stale_by_another(
    two_apps: tuple[Any, Any], proxy: TcpProxy, plain: redis.Redis, tmp_path: Path
) -> None:
    first, second = two_apps
    shop = Shop(first, first.test_client())
    staff, alice = shop.staff(), shop.customer()
    books = make_category(shop.client, staff, "Books")["id"]
    dune = make_product(shop.client, staff, books, stock=50)["id"]
    shop.client.post("/api/cart/add/", json={"product_id": dune, "quantity": 1}, headers=alice)
    assert (quantity(first, alice), quantity(second, alice)) == (1, 1)
    user_id = shop.client.get("/api/users/profile/", headers=alice).get_json()["id"]
    assert plain.get(f"cart:{user_id}") is not None  # both workers now read it from Redis
    epoch = plain.get("cart:epoch")

    proxy.cut()
    changed = first.test_client().patch(f"/api/cart/items/{dune}/", json={"quantity": 3},
                                        headers=alice)
    assert changed.status_code == 200, changed.get_json()
    assert quantity(second, alice) == 3  # out of reach: read from the database
    assert '"item_count":1' in plain.get(f"cart:{user_id}")  # the stale copy is still there
    proxy.restore()
    wait_for_change(plain, "cart:epoch", epoch, seconds=5)

    assert quantity(second, alice) == 3
    assert quantity(first, alice) == 3
    assert plain.get("cart:epoch") != epoch
