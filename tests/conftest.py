"""Fixtures shared by every tier: databases, apps, clients and users.

The HTTP tier runs on SQLite; a test where the database itself matters (constraints,
concurrency, one end-to-end flow per area) is marked `both_databases` and runs on SQLite and
on PostgreSQL. Storage as such is held to one contract by the repository suites.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from shopcore.settings import Settings
from tests.helpers import (
    PG_ADMIN_URL,
    REDIS_TEST_URL,
    Shop,
    make_settings,
    service_missing,
    shop_of,
    truncate_postgres,
)

DATABASES = ("sqlite", "postgres")
BOTH_DATABASES = "both_databases"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{BOTH_DATABASES}: give `database_url` once on SQLite and once on PostgreSQL")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database_url" in metafunc.fixturenames and metafunc.definition.get_closest_marker(
            BOTH_DATABASES):
        metafunc.parametrize("database_url", DATABASES, indirect=True)


@pytest.fixture
def redis_url() -> str:
    """The local Redis service's test database."""
    import redis

    try:
        redis.Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        service_missing("Redis", exc)
    return REDIS_TEST_URL


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test session, dropped at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from shopcore.adapters.sqlalchemy.migrate import upgrade

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"shopcore_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        service_missing("PostgreSQL", exc)
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    from shopcore.adapters.sqlalchemy.migrate import upgrade

    path = tmp_path_factory.mktemp("sqlite") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database: SQLite, or each of the DATABASES under `both_databases`."""
    if getattr(request, "param", "sqlite") == "sqlite":
        path = tmp_path / "shop.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
    return url


@pytest.fixture
def settings(database_url: str) -> Settings:
    return make_settings(database_url)


@pytest.fixture
def app(settings: Settings) -> Iterator[Any]:
    """The Flask app on a clean database."""
    from shopcore.entrypoints.http import create_app

    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    yield flask_app
    shop_of(flask_app).close()


@pytest.fixture
def make_shop(database_url: str) -> Iterator[Callable[..., Shop]]:
    """A shop on the test database whose settings differ from the defaults."""
    from shopcore.entrypoints.http import create_app

    apps: list[Any] = []

    def make(**overrides: Any) -> Shop:
        app = create_app(make_settings(database_url, **overrides))
        app.config["TESTING"] = True
        apps.append(app)
        return Shop(app, app.test_client())

    yield make
    for app in apps:
        shop_of(app).close()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def shop(app: Any, client: Any) -> Shop:
    return Shop(app, client)
