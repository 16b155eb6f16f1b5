"""Helpers every test module may import: settings, services, HTTP shortcuts, the error shape.

Fixtures live in the conftest files; what a test imports lives here, never in a test module.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import pytest

from shopcore.library import App
from shopcore.ports.unit_of_work import UnitOfWork
from shopcore.settings import MEMORY, Settings

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("SHOPCORE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("SHOPCORE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
TEST_SECRET = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"

Headers = dict[str, str]
UowFactory = Callable[[], UnitOfWork]


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


def truncate_postgres(url: str) -> None:
    """Empty every table of the PostgreSQL database at `url` and restart its ids."""
    from sqlalchemy import create_engine, text

    from shopcore.adapters.sqlalchemy.tables import metadata

    engine = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


def shop_of(app: Any) -> App:
    """The `shopcore.App` behind a Flask app: the one place tests reach into the app."""
    found: App = app.extensions["shopcore"]
    return found


def container_of(app: Any) -> Any:
    """The composition root behind a Flask app, for arranging what the API cannot."""
    return shop_of(app).container


class Shop:
    """Shortcuts through the HTTP API for arranging a test."""

    def __init__(self, app: Any, client: Any) -> None:
        self.app, self.client = app, client

    @property
    def container(self) -> Any:
        """The app's composition root, for arranging what the API cannot."""
        return container_of(self.app)

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

    def customer(self, username: str = "alice", password: str = "s3cret-pass") -> Headers:
        """Authorization headers of a freshly registered customer."""
        self.register(username, password)
        return {"Authorization": f"Bearer {self.login(username, password)['access']}"}

    def staff(self, username: str = "admin", password: str = "admin-pass-1") -> Headers:
        """Authorization headers of a staff user created the way the CLI does."""
        self.container.use_cases.register_user()(
            username=username, email=f"{username}@example.com", password=password, is_staff=True)
        return {"Authorization": f"Bearer {self.login(username, password)['access']}"}

    @property
    def mail(self) -> list[Any]:
        """What was mailed, once the outbox's events went to their handlers (as the relay does)."""
        while self.container.use_cases.relay_outbox()().published:
            pass
        return self.container.adapters.mailer().sent  # type: ignore[no-any-return]


def make_category(client: Any, headers: Headers, name: str, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/categories/", json={"name": name, **extra}, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def make_product(client: Any, headers: Headers, category: int, name: str = "Dune",
                 price: Any = "12.50", **extra: Any) -> dict[str, Any]:
    body = {"name": name, "description": "", "price": price, "category": category, **extra}
    response = client.post("/api/products/", json=body, headers=headers)
    assert response.status_code == 201, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


NO_FIELD = "<no field>"


def assert_error(response: Any, code: int, *fields: str) -> dict[str, Any]:
    """The contract's one error shape; each of `fields` is among the fields at fault.

    `NO_FIELD` says that no field is at fault (a body that is not JSON or not an object, a
    state such as an empty cart): the answer has its message alone.
    """
    assert response.status_code == code, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    assert set(body) <= {"code", "status", "message", "errors"}
    assert body["code"] == code
    assert body["status"] == HTTPStatus(code).phrase
    assert isinstance(body["message"], str)
    assert body["message"]
    if fields == (NO_FIELD,):
        assert "errors" not in body, body
        return body
    for field in fields:
        assert field in body["errors"], body
        assert all(isinstance(m, str) for m in body["errors"][field])
    return body


def free_port() -> int:
    """A loopback port that nothing listens on (until someone takes it)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class WebhookInbox:
    """A small HTTP server on loopback that keeps every POST: a shop's webhook endpoint."""

    def __init__(self) -> None:
        import http.server
        import threading

        self.received: list[tuple[bytes, str | None]] = []
        self.arrived = threading.Condition()
        inbox = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with inbox.arrived:
                    inbox.received.append((body, self.headers.get("Stripe-Signature")))
                    inbox.arrived.notify_all()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/payments/webhook/"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,),
                                       daemon=True)

    def __enter__(self) -> WebhookInbox:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wait_for(self, count: int, timeout: float = 10.0) -> list[tuple[bytes, str | None]]:
        """The first `count` posts, waiting for them up to `timeout` seconds."""
        with self.arrived:
            self.arrived.wait_for(lambda: len(self.received) >= count, timeout)
            assert len(self.received) >= count, f"{len(self.received)} of {count} webhooks came"
            return list(self.received[:count])


class ManualClock:
    """Monotonic seconds that only move when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def remove_keys(url: str, prefix: str) -> None:
    """Delete every Redis key under `prefix` (a test's own)."""
    import redis

    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()
