"""Which search engine the settings choose, what answers while it is down, and bad choices."""

from __future__ import annotations

from pathlib import Path

import pytest

from shopcore import App
from shopcore.settings import Settings, SettingsError

PG = "postgresql://shop@db/shop"
OPENSEARCH = "http://search:9200"


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"SHOPCORE_VAR_DIR": str(tmp_path), "SHOPCORE_SECRET_KEY": "k" * 40,
                              **env}, dotenv=None)


@pytest.mark.parametrize(("env", "engine", "fallback"), [
    ({}, "sqlite", "none"),
    ({"SHOPCORE_DATABASE_URL": PG}, "postgres", "none"),
    ({"SHOPCORE_OPENSEARCH_URL": OPENSEARCH}, "opensearch", "sqlite"),
    ({"SHOPCORE_DATABASE_URL": PG, "SHOPCORE_OPENSEARCH_URL": OPENSEARCH}, "opensearch",
     "postgres"),
    ({"SHOPCORE_SEARCH_BACKEND": "memory", "SHOPCORE_OPENSEARCH_URL": OPENSEARCH}, "memory",
     "none"),
    ({"SHOPCORE_SEARCH_BACKEND": "Postgres", "SHOPCORE_DATABASE_URL": PG}, "postgres", "none"),
    ({"SHOPCORE_DATABASE_URL": "memory://"}, "memory", "none"),
])
def test_unset_means_the_databases_own_engine_or_opensearch_when_its_url_is_set(
    tmp_path: Path, env: dict[str, str], engine: str, fallback: str,
) -> None:
    chosen = settings(tmp_path, **env)
    assert (chosen.search_engine, chosen.search_fallback) == (engine, fallback)


@pytest.mark.parametrize(("env", "named"), [
    ({"SHOPCORE_SEARCH_BACKEND": "elastic"}, "must be one of"),
    ({"SHOPCORE_SEARCH_BACKEND": "postgres"}, "needs a postgres"),
    ({"SHOPCORE_SEARCH_BACKEND": "sqlite", "SHOPCORE_DATABASE_URL": PG}, "needs a sqlite"),
    ({"SHOPCORE_SEARCH_BACKEND": "opensearch"}, "needs SHOPCORE_OPENSEARCH_URL"),
])
def test_a_backend_that_cannot_work_is_refused_by_name(
    tmp_path: Path, env: dict[str, str], named: str,
) -> None:
    with pytest.raises(SettingsError, match=named):
        settings(tmp_path, **env)


def test_the_in_memory_shop_searches_in_memory() -> None:
    with App.in_memory() as shop:
        assert shop.product_search.name == "memory"
        assert shop.check_readiness().checks["search"] == "up"
