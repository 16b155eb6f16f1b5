"""The production knobs: pools, metrics, logs, Kafka topics; and correlation ids on the wire."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from shopcore.adapters.kafka.publisher import encode
from shopcore.ports.events import Envelope, summary
from shopcore.settings import Settings, SettingsError

BASE = {"SHOPCORE_DATABASE_URL": "memory://", "SHOPCORE_SECRET_KEY": "k" * 40}


def read(**env: str) -> Settings:
    return Settings.from_env({**BASE, **env}, dotenv=None)


def test_the_defaults_are_the_development_ones() -> None:
    settings = read()
    assert (settings.db_pool_size, settings.db_max_overflow) == (5, 10)
    assert (settings.metrics, settings.log_format, settings.access_log) == (False, "text", False)
    assert (settings.kafka_partitions, settings.kafka_replication_factor) == (3, 1)
    assert settings.environment == "development"


def test_each_production_variable_is_read() -> None:
    settings = read(SHOPCORE_DB_POOL_SIZE="2", SHOPCORE_DB_MAX_OVERFLOW="0",
                    SHOPCORE_METRICS="on", SHOPCORE_LOG_FORMAT="JSON",
                    SHOPCORE_ACCESS_LOG="on", SHOPCORE_KAFKA_PARTITIONS="12",
                    SHOPCORE_KAFKA_REPLICATION_FACTOR="3", SHOPCORE_ENV="Production",
                    SHOPCORE_PUBLIC_URL="https://shop.example.com",
                    SHOPCORE_SMTP_URL="smtp://mail.example.com:587")
    assert (settings.db_pool_size, settings.db_max_overflow) == (2, 0)
    assert (settings.metrics, settings.log_format, settings.access_log) == (True, "json", True)
    assert (settings.kafka_partitions, settings.kafka_replication_factor) == (12, 3)
    assert settings.environment == "production"


def test_an_unknown_log_format_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_LOG_FORMAT must be one of text, json"):
        read(SHOPCORE_LOG_FORMAT="xml")


def envelope(correlation: str | None) -> Envelope:
    return Envelope(event_id="e1", type="user.registered", version=1,
                    occurred_at=datetime(2026, 12, 1, tzinfo=UTC), key="7",
                    payload={"user_id": 7}, topic="shopcore.users", sequence=1,
                    correlation_id=correlation)


def test_the_kafka_envelope_carries_the_correlation_id_only_when_there_is_one() -> None:
    assert json.loads(encode(envelope("req-1")))["correlation_id"] == "req-1"
    assert "correlation_id" not in json.loads(encode(envelope(None)))


def test_the_consumer_line_shows_the_correlation_id() -> None:
    line = summary(envelope("req-1").to_message())
    assert line.startswith("2026-12-01T00:00:00Z user.registered key=7 correlation_id=req-1 ")
    assert "correlation_id" not in summary(envelope(None).to_message())
