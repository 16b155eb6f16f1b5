"""Fixtures of the integration tier that start real services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Shop, service_missing
from tests.integration.broker import BrokerFailed, TansuBroker, tansu_binary
from tests.integration.test_http_catalog import make_category, make_product


@pytest.fixture
def kafka_broker(tmp_path: Path) -> Iterator[TansuBroker]:
    """A fresh Tansu broker for one test (it is ready in well under a second)."""
    try:
        broker = TansuBroker(tansu_binary(), tmp_path / "tansu.log")
        broker.start()
    except (BrokerFailed, OSError) as exc:
        service_missing("Kafka broker (tansu)", exc)
    yield broker
    broker.stop()


Headers = dict[str, str]


@pytest.fixture
def staff(shop: Shop) -> Headers:
    return shop.staff()


@pytest.fixture
def alice(shop: Shop) -> Headers:
    return shop.customer("alice")


@pytest.fixture
def bob(shop: Shop) -> Headers:
    return shop.customer("bob")


@pytest.fixture
def books(client: Any, staff: Headers) -> int:
    return int(make_category(client, staff, "Books")["id"])


@pytest.fixture
def dune(client: Any, staff: Headers, books: int) -> dict[str, Any]:
    """12.50, five in stock."""
    return make_product(client, staff, books, "Dune", "12.50", stock=5)


@pytest.fixture
def emma(client: Any, staff: Headers, books: int) -> dict[str, Any]:
    """3.00, stock not tracked."""
    return make_product(client, staff, books, "Emma", "3.00")
