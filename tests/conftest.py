"""Fixtures shared by every tier: databases, apps, clients and users."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopcore.settings import MEMORY, Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("SHOPCORE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("SHOPCORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def service_missing(name: str, why: object) -> None:
    """Fail in CI (a missing service is a broken machine there), skip elsewhere."""
    message = f"{name} is not reachable: {why}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


def make_settings(database_url: str = MEMORY, **overrides: Any) -> Settings:
    """Settings for tests: a fixed secret, cheap bcrypt, mail kept in memory."""
    base = Settings(database_url=database_url, secret_key=TEST_SECRET, bcrypt_rounds=4,
                    mailer="memory")
    return base.with_(**overrides)


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


def truncate_postgres(url: str) -> None:
    from sqlalchemy import create_engine, text

    from shopcore.adapters.sqlalchemy.tables import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A clean, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
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
    flask_app.extensions["shopcore"].close()


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


class Shop:
    """Shortcuts through the HTTP API for arranging a test."""

    def __init__(self, app: Any, client: Any) -> None:
        self.app, self.client = app, client
        self.container = app.extensions["shopcore"].container

    def register(self, username: str = "alice", password: str = "s3cret-pass",
                 email: str | None = None) -> dict[str, Any]:
        response = self.client.post("/api/users/register/", json={
            "username": username, "password": password,
            "email": email or f"{username}@example.com"})
        assert response.status_code == 201, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def login(self, username: str = "alice", password: str = "s3cret-pass") -> dict[str, str]:
        response = self.client.post("/api/users/token/",
                                    json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()  # type: ignore[no-any-return]

    def customer(self, username: str = "alice", password: str = "s3cret-pass") -> dict[str, str]:
        """Authorization headers of a freshly registered customer."""
        self.register(username, password)
        return {"Authorization": f"Bearer {self.login(username, password)['access']}"}

    def staff(self, username: str = "admin", password: str = "admin-pass-1") -> dict[str, str]:
        """Authorization headers of a staff user created the way the CLI does."""
        self.container.use_cases.register_user()(
            username=username, email=f"{username}@example.com", password=password, is_staff=True)
        return {"Authorization": f"Bearer {self.login(username, password)['access']}"}

    @property
    def mail(self) -> list[Any]:
        return self.container.adapters.mailer().sent  # type: ignore[no-any-return]


@pytest.fixture
def shop(app: Any, client: Any) -> Shop:
    return Shop(app, client)
