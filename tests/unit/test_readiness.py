"""Readiness: the database decides between down and serving; anything else only degrades."""

from __future__ import annotations

from shopcore import App
from shopcore.application.readiness import CheckReadiness, Fixed, SearchProbe


class Broken:
    """A probe whose dependency cannot even be asked."""

    def check(self) -> str:
        raise ConnectionError("refused")


def test_the_in_memory_shop_is_ready_with_search_in_memory_and_its_payment_gateway_up() -> None:
    with App.in_memory() as shop:
        readiness = shop.check_readiness()
    assert readiness.status == "ok"
    assert readiness.checks == {"database": "up", "cache": "disabled", "search": "up",
                                "events": "up", "payments": "up"}


def test_a_probe_that_raises_counts_as_down_and_only_degrades_the_shop() -> None:
    readiness = CheckReadiness({"database": Fixed("up"), "cache": Broken()})()
    assert (readiness.status, readiness.checks["cache"]) == ("degraded", "down")


def test_without_the_database_the_shop_is_down() -> None:
    readiness = CheckReadiness({"database": Broken(), "events": Fixed("up")})()
    assert readiness.status == "down"


def test_search_down_with_a_fallback_answering_is_degraded_and_so_is_the_shop() -> None:
    search = SearchProbe(Fixed("down"), fallback=Fixed("up"))
    readiness = CheckReadiness({"database": Fixed("up"), "search": search})()
    assert (readiness.status, readiness.checks["search"]) == ("degraded", "degraded")


def test_search_reports_the_engine_itself_when_it_answers_and_down_without_a_fallback() -> None:
    assert SearchProbe(Fixed("opensearch"), fallback=Fixed("up")).check() == "opensearch"
    assert SearchProbe(Broken()).check() == "down"
    assert SearchProbe(Broken(), fallback=Broken()).check() == "down"
