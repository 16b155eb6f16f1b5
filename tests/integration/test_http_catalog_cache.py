"""Cached catalog reads over HTTP: fresh right after every commit, ETags, and Redis down."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import text

from shopcore.settings import Settings
from tests.helpers import Headers, make_category, make_settings, shop_of, truncate_postgres

DEAD_REDIS = "redis://127.0.0.1:1/0"
READS = ("/api/products/{id}/", "/api/products/", "/api/products/?category={category}",
         "/api/products/search/?q=dune")


def remove_keys(url: str, prefix: str) -> None:
    client = redis.Redis.from_url(url)
    keys = list(client.scan_iter(match=f"{prefix}*"))
    if keys:
        client.delete(*keys)
    client.close()


@pytest.fixture(params=["memory-sqlite", "redis-postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """The embedded default (an LRU in process), and Redis in front of PostgreSQL."""
    if request.param == "memory-sqlite":
        yield make_settings(request.getfixturevalue("database_url"))
        return
    url: str = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
    redis_url: str = request.getfixturevalue("redis_url")
    remove_keys(redis_url, "catalog:")
    yield make_settings(url, redis_url=redis_url)
    remove_keys(redis_url, "catalog:")


def read_all(client: Any, product: dict[str, Any]) -> list[Any]:
    """Each cached read that shows `product`, asked twice so the second is a cache hit."""
    answers = []
    for path in READS:
        url = path.format(id=product["id"], category=product["category"])
        client.get(url)
        answers.append(client.get(url))
    return answers


def shown(answers: list[Any], product_id: int) -> list[dict[str, Any] | None]:
    """The product as each read shows it, None where it is missing."""
    found: list[dict[str, Any] | None] = []
    for answer in answers:
        body = answer.get_json()
        items = body.get("results", [body])
        found.append(next((p for p in items if p.get("id") == product_id), None))
    return found


def behind_the_apps_back(shop: Any, sql: str, **params: Any) -> None:
    """A write no use case makes: Redis's version stays, SQLite's data_version moves."""
    with shop.container.gateways.engine().begin() as connection:
        connection.execute(text(sql), params)


def test_a_cached_read_is_served_again_until_the_catalog_changes(
        client: Any, shop: Any, settings: Settings, staff: Headers, dune: dict[str, Any]) -> None:
    client.get(f"/api/products/{dune['id']}/")  # now cached
    behind_the_apps_back(shop, "UPDATE products SET price_cents = 999 WHERE id = :id",
                         id=dune["id"])
    again = client.get(f"/api/products/{dune['id']}/").get_json()
    assert again["price"] == ("12.50" if settings.catalog_cache_store == "redis" else "9.99")
    client.patch(f"/api/products/{dune['id']}/", json={"description": "x"}, headers=staff)
    assert client.get(f"/api/products/{dune['id']}/").get_json()["price"] == "9.99"


def test_a_new_price_shows_at_once_on_every_cached_read(
        client: Any, staff: Headers, dune: dict[str, Any]) -> None:
    assert {p["price"] for p in shown(read_all(client, dune), dune["id"]) if p} == {"12.50"}
    response = client.patch(f"/api/products/{dune['id']}/", json={"price": "14.00"},
                            headers=staff)
    assert response.status_code == 200
    assert [p and p["price"] for p in shown(read_all(client, dune), dune["id"])] == \
        ["14.00"] * len(READS)


def test_stock_taken_by_a_checkout_shows_at_once(
        client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]) -> None:
    assert [p and p["stock"] for p in shown(read_all(client, dune), dune["id"])] == \
        [5] * len(READS)
    added = client.post("/api/cart/add/", json={"product_id": dune["id"], "quantity": 5},
                        headers=alice)
    assert added.status_code == 200
    assert client.post("/api/orders/create/", headers=alice).status_code == 201
    after = shown(read_all(client, dune), dune["id"])
    assert [(p and p["stock"], p and p["in_stock"]) for p in after] == \
        [(0, False)] * len(READS)
    in_stock = client.get("/api/products/?in_stock=true").get_json()
    assert dune["id"] not in [p["id"] for p in in_stock["results"]]


def test_a_deleted_product_is_gone_at_once(
        client: Any, staff: Headers, dune: dict[str, Any]) -> None:
    assert all(shown(read_all(client, dune), dune["id"]))
    assert client.delete(f"/api/products/{dune['id']}/", headers=staff).status_code == 204
    answers = read_all(client, dune)
    assert answers[0].status_code == 404
    assert shown(answers[1:], dune["id"]) == [None] * (len(READS) - 1)


def test_a_renamed_category_shows_at_once_in_categories_and_facets(
        client: Any, staff: Headers, books: int, dune: dict[str, Any]) -> None:
    def names() -> list[str]:
        listed = client.get("/api/categories/").get_json()["results"]
        one = client.get(f"/api/categories/{books}/").get_json()
        facets = client.get("/api/products/search/?q=dune").get_json()["facets"]["categories"]
        return [listed[0]["name"], one["name"], facets[0]["name"]]

    assert names() == names() == ["Books"] * 3
    assert client.patch(f"/api/categories/{books}/", json={"name": "Novels"},
                        headers=staff).status_code == 200
    assert names() == ["Novels"] * 3


def test_a_product_count_follows_products_added_to_a_category(
        client: Any, staff: Headers, books: int, dune: dict[str, Any]) -> None:
    assert client.get(f"/api/categories/{books}/").get_json()["product_count"] == 1
    client.post("/api/products/", json={"name": "Emma", "description": "", "price": "3.00",
                                          "category": books},
                headers=staff)
    assert client.get(f"/api/categories/{books}/").get_json()["product_count"] == 2
    assert client.get("/api/products/").get_json()["count"] == 2


def test_a_missing_product_is_not_cached_as_missing(
        client: Any, staff: Headers, books: int) -> None:
    assert client.get("/api/products/1/").status_code == 404
    body = {"name": "Dune", "description": "", "price": "1.00", "category": books}
    created = client.post("/api/products/", json=body, headers=staff)
    assert client.get(f"/api/products/{created.get_json()['id']}/").status_code == 200


def test_a_cached_read_has_an_etag_and_answers_304_while_it_holds(
        client: Any, staff: Headers, dune: dict[str, Any]) -> None:
    url = f"/api/products/{dune['id']}/"
    first = client.get(url)
    tag = first.headers["ETag"]
    assert tag.startswith('"') and tag.endswith('"')
    assert client.get(url).headers["ETag"] == tag
    for asked in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        unchanged = client.get(url, headers={"If-None-Match": asked})
        assert unchanged.status_code == 304, asked
        assert unchanged.data == b""
        assert unchanged.headers["ETag"] == tag
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    client.patch(url, json={"price": "1.00"}, headers=staff)
    changed = client.get(url, headers={"If-None-Match": tag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != tag
    assert changed.get_json()["price"] == "1.00"


@pytest.mark.parametrize("path", ["/api/products/", "/api/products/?page=1&page_size=5",
                                  "/api/categories/", "/api/products/search/?q=dune"])
def test_every_cached_listing_answers_304_to_its_own_etag(
        client: Any, dune: dict[str, Any], path: str) -> None:
    tag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": tag}).status_code == 304


def test_queries_with_unknown_or_repeated_parameters_are_answered_uncached(
        client: Any, dune: dict[str, Any]) -> None:
    for path in ("/api/products/?page=1&page=1", "/api/products/?utm=1"):
        response = client.get(path)
        assert response.status_code == 200
        assert "ETag" not in response.headers


def test_bad_queries_are_refused_the_same_way_twice(client: Any, dune: dict[str, Any]) -> None:
    for _ in range(2):
        assert client.get("/api/products/?min_price=abc").status_code == 400
        assert client.get("/api/products/search/?q=").status_code == 400


@pytest.fixture
def dead_redis_client(database_url: str) -> Iterator[Any]:
    """An app whose Redis (catalog and cart cache, login throttle) never answers."""
    from shopcore.entrypoints.http import create_app
    from tests.helpers import shop_of

    app = create_app(make_settings(database_url, redis_url=DEAD_REDIS))
    app.config["TESTING"] = True
    yield app
    shop_of(app).close()


def test_with_redis_down_catalog_reads_come_from_the_database(
        dead_redis_client: Any, redis_url: str) -> None:
    from tests.helpers import Shop, make_category, make_product

    client = dead_redis_client.test_client()
    staff = Shop(dead_redis_client, client).staff()
    books = int(make_category(client, staff, "Books")["id"])
    dune = make_product(client, staff, books, "Dune", "12.50", stock=5)
    assert [a.status_code for a in read_all(client, dune)] == [200] * len(READS)
    client.patch(f"/api/products/{dune['id']}/", json={"price": "2.00"}, headers=staff)
    assert [p and p["price"] for p in shown(read_all(client, dune), dune["id"])] == \
        ["2.00"] * len(READS)
    assert redis.Redis.from_url(redis_url).ping()  # the test's own Redis was never touched


def test_the_count_of_a_filter_is_counted_once_per_catalog_version(
        client: Any, shop: Any, settings: Settings, staff: Headers, books: int,
        dune: dict[str, Any]) -> None:
    films = make_category(client, staff, "Films")["id"]
    assert client.get(f"/api/products/?category={books}").get_json()["count"] == 1
    behind_the_apps_back(shop, "UPDATE products SET category_id = :films", films=films)
    other_page = client.get(f"/api/products/?category={books}&page_size=5").get_json()
    cached = 1 if settings.catalog_cache_store == "redis" else 0
    assert (other_page["count"], other_page["results"]) == (cached, [])
    client.post("/api/products/", json={"name": "Emma", "description": "", "price": "3.00",
                                          "category": books},
                headers=staff)
    assert client.get(f"/api/products/?category={books}").get_json()["count"] == 1
    assert client.get("/api/products/?page_size=5").get_json()["count"] == 2


def test_demo_categories_added_by_populate_data_show_at_once(client: Any, shop: Any) -> None:
    from shopcore.application.demo_data import DemoCategory

    assert client.get("/api/categories/").get_json()["count"] == 0
    shop_of(shop.app).add_demo_categories(candidates=[DemoCategory("Toys", "")], count=1)
    assert [c["name"] for c in client.get("/api/categories/").get_json()["results"]] == ["Toys"]
