"""Adapters of optional or heavy libraries, imported only when the settings pick them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shopcore.ports.search import ProductSearch
    from shopcore.settings import Settings


def sqlite_search(engine: Any) -> ProductSearch:
    from shopcore.adapters.sqlsearch.sqlite import SqliteSearch

    return SqliteSearch(engine)


def postgres_search(engine: Any) -> ProductSearch:
    from shopcore.adapters.sqlsearch.postgres import PostgresSearch

    return PostgresSearch(engine)


def opensearch_client(settings: Settings) -> Any:
    if not settings.opensearch_url:
        return None
    from shopcore.adapters.opensearch.search import opensearch_client as client

    return client(settings.opensearch_url, settings.opensearch_user,
                  settings.opensearch_password)


def opensearch_search(client: Any, index_prefix: str) -> ProductSearch:
    from shopcore.adapters.opensearch.search import OpenSearchSearch

    return OpenSearchSearch(client, index_prefix)


def kafka_publisher(settings: Settings) -> Any:
    from shopcore.adapters.kafka.publisher import KafkaPublisher

    return KafkaPublisher(settings.kafka_bootstrap_servers or "",
                          partitions=settings.kafka_partitions,
                          replication_factor=settings.kafka_replication_factor)


def counted(kind: str, inner: Any) -> Any:
    from shopcore.adapters.prometheus.decorators import counted as counted_calls

    return counted_calls(kind, inner)


def stripe_client(secret_key: str, api_base: str | None, timeout_seconds: float) -> Any:
    from shopcore.adapters.stripe.gateway import stripe_client as client

    return client(secret_key, api_base, timeout_seconds)


def stripe_gateway(client: Any, shop_id: str) -> Any:
    from shopcore.adapters.stripe.gateway import StripeGateway

    return StripeGateway(client, shop=shop_id)
