"""The instruments of one process, made once, and the text a scrape answers."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from shopcore.ports.events import OutboxStats

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


@dataclass(frozen=True)
class ShopMetrics:
    """The web process's instruments."""

    registry: CollectorRegistry
    requests: Counter
    latency: Histogram
    cart_cache: Counter
    payments: Counter


def multiprocess() -> bool:
    return bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))


@cache
def shop_metrics() -> ShopMetrics:
    """The instruments, made on first use and shared by every app of the process."""
    registry = CollectorRegistry()
    return ShopMetrics(
        registry=registry,
        requests=Counter("shopcore_http_requests", "HTTP requests answered.",
                         ["route", "method", "status"], registry=registry),
        latency=Histogram("shopcore_http_request_duration_seconds",
                          "Time to answer an HTTP request.", ["route"],
                          buckets=LATENCY_BUCKETS, registry=registry),
        cart_cache=Counter("shopcore_cart_cache_lookups", "Cart cache reads by result.",
                           ["result"], registry=registry),
        payments=Counter("shopcore_payments", "Charges asked of the provider, by outcome.",
                         ["provider", "outcome"], registry=registry),
    )


class OutboxCollector:
    """The outbox backlog and the age of its oldest unsent event, read at scrape time."""

    def __init__(self, stats: Callable[[], OutboxStats],
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.stats, self.now = stats, now

    def collect(self) -> Any:
        unsent = GaugeMetricFamily("shopcore_outbox_unsent_events",
                                   "Events in the outbox not yet published.")
        age = GaugeMetricFamily("shopcore_outbox_oldest_unsent_age_seconds",
                                "Age of the oldest unpublished event (0 when none).")
        up = GaugeMetricFamily("shopcore_outbox_readable", "1 when the outbox could be read.")
        try:
            stats = self.stats()
        except Exception:  # the database is down: say so, do not fail the scrape
            up.add_metric([], 0)
            return [up]
        unsent.add_metric([], stats.unsent)
        oldest = stats.oldest_unsent
        age.add_metric([], max((self.now() - oldest).total_seconds(), 0.0) if oldest else 0.0)
        up.add_metric([], 1)
        return [unsent, age, up]


def exposition(*collectors: Any) -> bytes:
    """The scrape's text: every worker's counts under gunicorn, else this process's."""
    registry = CollectorRegistry()
    if multiprocess():
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    for collector in collectors:
        registry.register(collector)
    body = generate_latest(registry)
    return body if multiprocess() else generate_latest(shop_metrics().registry) + body
