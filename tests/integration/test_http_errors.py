"""Errors that no area raises on purpose still come in the one shape, and leak nothing."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from shopcore.entrypoints.http import create_app
from tests.helpers import make_settings, shop_of


@pytest.fixture
def broken_app(sqlite_template: Path, tmp_path: Path) -> Any:
    """An app whose products table has vanished under it: every product read fails."""
    path = tmp_path / "broken.sqlite3"
    path.write_bytes(sqlite_template.read_bytes())
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE products")
    app = create_app(make_settings(f"sqlite:///{path}"))
    yield app
    shop_of(app).close()


def test_an_unexpected_failure_is_a_500_in_the_error_shape_without_sql_or_traceback(
    broken_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    response = broken_app.test_client().get("/api/products/",
                                            headers={"X-Request-ID": "support-ticket-42"})

    assert response.status_code == 500
    assert response.get_json() == {"code": 500, "status": "Internal Server Error",
                                   "message": "Internal server error.",
                                   "request_id": "support-ticket-42"}
    assert response.headers["X-Request-ID"] == "support-ticket-42"
    text = response.get_data(as_text=True).lower()
    for leak in ("select", "products", "traceback", "sqlite", "secret"):
        assert leak not in text
    assert any("unhandled error" in r.message for r in caplog.records)


def test_readiness_is_down_with_503_when_the_database_cannot_be_reached() -> None:
    app = create_app(make_settings("postgresql+psycopg://postgres@127.0.0.1:1/none"))
    response = app.test_client().get("/readyz")

    assert response.status_code == 503
    assert response.get_json()["status"] == "down"
    assert response.get_json()["checks"]["database"] == "down"
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
    shop_of(app).close()


@pytest.mark.parametrize(("method", "path", "body"), [
    ("get", "/api/products/", None), ("get", "/api/categories/1/", None),
    ("post", "/api/users/register/",
     {"username": "ada", "email": "ada@example.com", "password": "correct-horse"}),
    ("post", "/api/users/token/", {"username": "ada", "password": "correct-horse"})])
def test_an_unreachable_database_is_a_503_in_the_error_shape_not_a_500(
    method: str, path: str, body: Any
) -> None:
    app = create_app(make_settings("postgresql+psycopg://postgres@127.0.0.1:1/none"))

    response = getattr(app.test_client(), method)(path, json=body)

    assert response.status_code == 503
    assert response.get_json() == {"code": 503, "status": "Service Unavailable",
                                   "message": "The database is unreachable; try again shortly."}
    assert response.headers["Retry-After"] == "1"
    assert "127.0.0.1" not in response.get_data(as_text=True)
    shop_of(app).close()


@pytest.mark.both_databases
def test_readiness_reports_the_cache_down_but_the_shop_degraded_not_down(
    database_url: str,
) -> None:
    app = create_app(make_settings(database_url, redis_url="redis://127.0.0.1:1/0"))
    body = app.test_client().get("/readyz").get_json()

    assert body == {"status": "degraded", "checks": {
        "database": "up", "cache": "down", "search": "up", "events": "up",
        "payments": "simulator"}}
    shop_of(app).close()


@pytest.mark.parametrize(("method", "path", "code"), [
    ("get", "/api/nowhere/", 404),
    ("delete", "/api/users/register/", 405),
    ("get", "/api/products/0/", 404),
    ("get", "/api/products/-1/", 404),
])
def test_routing_errors_come_in_the_error_shape(client: Any, method: str, path: str,
                                                code: int) -> None:
    response = getattr(client, method)(path)

    assert response.status_code == code
    body = response.get_json()
    assert set(body) == {"code", "status", "message"}
    assert body["code"] == code
    if code == 405:
        assert "POST" in response.headers["Allow"]

