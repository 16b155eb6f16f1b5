"""`shopcore check-config`: settings with secrets masked, a line per service, exit 1 on failure."""

from __future__ import annotations

from typing import Any

from tests.helpers import TEST_SECRET
from tests.integration.broker import TansuBroker


def service_line(output: str, name: str) -> str:
    [line] = [x for x in output.splitlines() if x.split()[:1] == [name]]
    return line


def test_an_embedded_setup_checks_the_database_and_says_what_else_is_unset(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("check-config")

    assert result.exit_code == 0, result.output
    assert "secret_key                   ***" in result.output
    assert TEST_SECRET not in result.output
    assert "password_hasher              bcrypt" in result.output
    assert "answers at sqlite:///" in service_line(result.output, "database")
    assert service_line(result.output, "database").split()[1] == "ok"
    for name in ("redis", "kafka", "opensearch", "stripe"):
        assert service_line(result.output, name).split()[1] == "-"
        assert "not configured" in service_line(result.output, name)


def test_unreachable_services_fail_by_name_and_their_passwords_stay_hidden(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("check-config", SHOPCORE_REDIS_URL="redis://:hunter2@127.0.0.1:1/0",
                      SHOPCORE_KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:1",
                      SHOPCORE_OPENSEARCH_URL="http://admin:opensesame@127.0.0.1:1",
                      SHOPCORE_OPENSEARCH_PASSWORD="opensesame")

    assert result.exit_code == 1
    assert "hunter2" not in result.output and "opensesame" not in result.output
    assert service_line(result.output, "database").split()[1] == "ok"
    redis = service_line(result.output, "redis")
    assert redis.split()[1] == "FAILED"
    assert "redis://:***@127.0.0.1:1/0" in redis and "SHOPCORE_REDIS_URL" in redis
    assert "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS" in service_line(result.output, "kafka")
    assert service_line(result.output, "opensearch").split()[1] == "FAILED"


def test_an_unreachable_database_fails_and_names_its_variable(
    shopcore: Any, env: dict[str, str]
) -> None:
    result = shopcore("check-config",
                      SHOPCORE_DATABASE_URL="postgresql://shop:pw-kept-hidden@127.0.0.1:1/shop")

    assert result.exit_code == 1
    assert "pw-kept-hidden" not in result.output
    line = service_line(result.output, "database")
    assert line.split()[1] == "FAILED" and "SHOPCORE_DATABASE_URL" in line


def test_reachable_redis_and_kafka_answer(
    shopcore: Any, migrated: dict[str, str], redis_url: str, kafka_broker: TansuBroker
) -> None:
    result = shopcore("check-config", SHOPCORE_REDIS_URL=redis_url,
                      SHOPCORE_KAFKA_BOOTSTRAP_SERVERS=kafka_broker.bootstrap_servers)

    assert result.exit_code == 0, result.output
    assert service_line(result.output, "redis").split()[1] == "ok"
    assert service_line(result.output, "kafka").split()[1] == "ok"
