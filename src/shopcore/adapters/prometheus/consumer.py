"""The event consumer's instruments, served on its own port (`consume-events --metrics-port`)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, start_http_server


class ConsumerMetrics:
    """Records by result, dead letters and duplicates per topic, lag per partition."""

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        self.records = Counter("shopcore_consumer_records", "Records consumed, by result.",
                               ["topic", "result"], registry=self.registry)
        self.dead_letters = Counter("shopcore_consumer_dead_letters",
                                    "Records sent to the dead-letter topic.", ["topic"],
                                    registry=self.registry)
        self.duplicates = Counter("shopcore_consumer_duplicates",
                                  "Events dropped as already handled (by event_id).",
                                  registry=self.registry)
        self.behind = Gauge("shopcore_consumer_lag", "Records behind the partition's end.",
                            ["topic", "partition"], registry=self.registry,
                            multiprocess_mode="livemax")

    def record(self, topic: str, result: str) -> None:
        self.records.labels(topic, result).inc()
        if result in ("dead_lettered", "invalid"):
            self.dead_letters.labels(topic).inc()

    def lag(self, topic: str, partition: int, behind: int) -> None:
        self.behind.labels(topic, str(partition)).set(behind)

    def duplicate(self) -> None:
        self.duplicates.inc()

    def serve(self, port: int, host: str = "0.0.0.0") -> None:  # noqa: S104 - a metrics port
        """Answer scrapes on `host:port` from a daemon thread."""
        start_http_server(port, addr=host, registry=self.registry)
