"""Readiness: the database decides between down and serving; anything else only degrades."""

from __future__ import annotations

from shopcore import App
from shopcore.application.readiness import CheckReadiness, Fixed


class Broken:
    """A probe whose dependency cannot even be asked."""

    def check(self) -> str:
        raise ConnectionError("refused")


def test_the_in_memory_shop_is_ready_with_search_disabled_and_its_payment_gateway_up() -> None:
    with App.in_memory() as shop:
        readiness = shop.check_readiness()
    assert readiness.status == "ok"
    assert readiness.checks == {"database": "up", "cache": "disabled", "search": "disabled",
                                "events": "up", "payments": "up"}


def test_a_probe_that_raises_counts_as_down_and_only_degrades_the_shop() -> None:
    readiness = CheckReadiness({"database": Fixed("up"), "cache": Broken()})()
    assert (readiness.status, readiness.checks["cache"]) == ("degraded", "down")


def test_without_the_database_the_shop_is_down() -> None:
    readiness = CheckReadiness({"database": Broken(), "events": Fixed("up")})()
    assert readiness.status == "down"
