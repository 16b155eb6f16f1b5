"""The core raises neutral errors; the HTTP adapter answers them in DRF's words, as always."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import make_settings, shop_of


@pytest.fixture
def memory_client() -> Any:
    from shopcore.entrypoints.http import create_app

    app = create_app(make_settings())
    yield app.test_client()
    shop_of(app).close()


@pytest.mark.parametrize("query", ["page=0", "page=x", "page=99"])
def test_a_page_that_does_not_exist_is_drfs_invalid_page(memory_client: Any, query: str) -> None:
    response = memory_client.get(f"/api/products/?{query}")

    assert response.status_code == 404
    assert response.get_json()["message"] == "Invalid page."
    assert "errors" not in response.get_json()


@pytest.mark.parametrize(("size", "message"), [
    ("0", "Must be at least 1."), ("-3", "Must be at least 1."),
    ("x", "A valid integer is required.")])
def test_a_bad_page_size_names_the_page_size_query(memory_client: Any, size: str,
                                                   message: str) -> None:
    response = memory_client.get(f"/api/categories/?page_size={size}")

    assert response.status_code == 400
    assert response.get_json()["errors"] == {"page_size": [message]}


def test_an_unknown_category_is_drfs_invalid_pk(memory_client: Any) -> None:
    response = memory_client.get("/api/products/?category=5")

    assert response.status_code == 400
    wording = 'Invalid pk "5" - object does not exist.'
    assert response.get_json()["message"] == wording
    assert response.get_json()["errors"] == {"category": [wording]}
