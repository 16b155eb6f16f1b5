"""The shopcore topics, their dead-letter twins, and creating them (Tansu makes none itself)."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterable, Sequence

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from shopcore.domain.events import AGGREGATES
from shopcore.ports.events import topic_of

DEAD_LETTER_SUFFIX = ".dlq"
SHOPCORE_TOPICS: tuple[str, ...] = tuple(topic_of(aggregate) for aggregate in AGGREGATES)


class TopicsNotCreated(RuntimeError):
    """The broker answered, but some topics are still missing after creating them."""


def dead_letter_topic(topic: str) -> str:
    return topic + DEAD_LETTER_SUFFIX


def with_dead_letters(topics: Iterable[str]) -> list[str]:
    """Each topic followed by its `.dlq`, without duplicates, in order."""
    return list(dict.fromkeys(n for t in topics for n in (t, dead_letter_topic(t))))


def ensure_topics(bootstrap_servers: str, topics: Sequence[str], *, partitions: int = 3,
                  replication_factor: int = 1, client_id: str = "shopcore-admin",
                  timeout_ms: int = 5000) -> list[str]:
    """Create the missing `topics`; return the names created. Raises KafkaError or OSError."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap_servers, client_id=client_id,
                             request_timeout_ms=timeout_ms, bootstrap_timeout_ms=timeout_ms)
    try:
        missing = [t for t in topics if t not in set(admin.list_topics())]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):
                admin.create_topics([NewTopic(t, partitions, replication_factor) for t in missing],
                                    timeout_ms=timeout_ms)
            still_missing = [t for t in missing if t not in set(admin.list_topics())]
            if still_missing:
                raise TopicsNotCreated(f"topics still missing: {', '.join(still_missing)}")
        return missing
    finally:
        admin.close()


def addresses(bootstrap_servers: str) -> list[tuple[str, int]]:
    """`host:port,host:port` (an optional `scheme://`, `[v6]:port`) as (host, port) pairs."""
    pairs = []
    for item in (i.strip().rsplit("://", 1)[-1] for i in bootstrap_servers.split(",")):
        if item.startswith("["):
            host, _, rest = item[1:].partition("]")
            port = rest.lstrip(":")
        elif item.count(":") == 1:
            host, port = item.split(":")
        else:
            host, port = item, ""
        if host:
            pairs.append((host, int(port) if port else 9092))
    return pairs


def reachable(bootstrap_servers: str, timeout_s: float = 0.25, tries: int = 2) -> bool:
    """Whether one of the first `tries` bootstrap addresses accepts a TCP connection."""
    for host, port in addresses(bootstrap_servers)[:tries]:
        try:
            with socket.create_connection((host, port), timeout=timeout_s):
                return True
        except OSError:
            continue
    return False
