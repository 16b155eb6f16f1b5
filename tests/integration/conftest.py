"""Fixtures of the integration tier that start real services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import service_missing
from tests.integration.broker import BrokerFailed, TansuBroker, tansu_binary


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
