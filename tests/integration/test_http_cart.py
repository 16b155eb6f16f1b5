"""The cart over HTTP; `both_databases` where storage shows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from shopcore.domain.cart import MAX_LINE_QUANTITY
from shopcore.entrypoints.http import create_app
from tests.helpers import (
    NO_FIELD,
    REDIS_TEST_URL,
    Headers,
    Shop,
    assert_error,
    make_category,
    make_product,
    make_settings,
    service_missing,
    shop_of,
)

CART_FIELDS = {"items", "total", "currency", "item_count", "problems"}
EMPTY = {"items": [], "total": "0.00", "currency": "USD", "item_count": 0, "problems": []}


def add(client: Any, headers: Headers, product_id: Any, quantity: Any) -> Any:
    return client.post("/api/cart/add/", json={"product_id": product_id, "quantity": quantity},
                       headers=headers)


def cart(client: Any, headers: Headers) -> dict[str, Any]:
    response = client.get("/api/cart/", headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def fill(client: Any, headers: Headers, product_id: int, quantity: int) -> dict[str, Any]:
    response = add(client, headers, product_id, quantity)
    assert response.status_code == 200, response.get_json()
    return response.get_json()  # type: ignore[no-any-return]


def lines(body: dict[str, Any]) -> list[tuple[int, int]]:
    return [(item["product_id"], item["quantity"]) for item in body["items"]]


# Reading and adding


def test_a_new_cart_is_empty(client: Any, alice: Headers) -> None:
    assert cart(client, alice) == EMPTY


@pytest.mark.both_databases
def test_adding_a_product_answers_the_priced_cart(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    response = add(client, alice, dune["id"], 2)

    assert response.status_code == 200
    assert response.get_json() == {
        "items": [{"product_id": dune["id"], "name": "Dune", "unit_price": "12.50",
                   "quantity": 2, "line_total": "25.00"}],
        "total": "25.00", "currency": "USD", "item_count": 2, "problems": []}
    assert cart(client, alice) == response.get_json()


@pytest.mark.both_databases
def test_adding_a_product_again_adds_to_its_line(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)

    body = fill(client, alice, dune["id"], 2)

    assert lines(body) == [(dune["id"], 3)]
    assert body["total"] == "37.50"


def test_lines_keep_their_order_and_the_totals_count_every_unit(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, emma["id"], 4)
    fill(client, alice, dune["id"], 1)

    body = cart(client, alice)

    assert lines(body) == [(emma["id"], 4), (dune["id"], 1)]
    assert [item["line_total"] for item in body["items"]] == ["12.00", "12.50"]
    assert (body["total"], body["item_count"]) == ("24.50", 5)


def test_an_unknown_product_is_404_and_adds_nothing(client: Any, alice: Headers) -> None:
    assert_error(add(client, alice, 999, 1), 404)
    assert cart(client, alice) == EMPTY


@pytest.mark.both_databases
def test_adding_beyond_stock_is_409_counting_what_the_line_already_holds(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 4)

    assert_error(add(client, alice, dune["id"], 2), 409, "quantity")
    assert_error(add(client, alice, dune["id"], 6), 409, "quantity")
    assert lines(cart(client, alice)) == [(dune["id"], 4)]
    assert lines(fill(client, alice, dune["id"], 1)) == [(dune["id"], 5)]


def test_a_product_out_of_stock_cannot_be_added(
    client: Any, staff: Headers, alice: Headers, books: int
) -> None:
    sold_out = make_product(client, staff, books, "Ulysses", stock=0)

    assert_error(add(client, alice, sold_out["id"], 1), 409)
    assert cart(client, alice) == EMPTY


def test_untracked_stock_takes_any_quantity_up_to_the_line_limit(
    client: Any, alice: Headers, emma: dict[str, Any]
) -> None:
    assert lines(fill(client, alice, emma["id"], MAX_LINE_QUANTITY)) == [
        (emma["id"], MAX_LINE_QUANTITY)]
    assert_error(add(client, alice, emma["id"], 1), 400, "quantity")
    assert lines(cart(client, alice)) == [(emma["id"], MAX_LINE_QUANTITY)]


# Changing and removing lines


@pytest.mark.both_databases
def test_patch_sets_a_line_quantity(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)
    fill(client, alice, emma["id"], 1)

    response = client.patch(f"/api/cart/items/{dune['id']}/", json={"quantity": 5},
                            headers=alice)

    assert response.status_code == 200
    assert lines(response.get_json()) == [(dune["id"], 5), (emma["id"], 1)]
    assert response.get_json()["total"] == "65.50"
    assert cart(client, alice) == response.get_json()


def test_patch_to_zero_removes_the_line(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 1)

    response = client.patch(f"/api/cart/items/{dune['id']}/", json={"quantity": 0},
                            headers=alice)

    assert response.status_code == 200
    assert lines(response.get_json()) == [(emma["id"], 1)]
    assert lines(cart(client, alice)) == [(emma["id"], 1)]


def test_patch_above_stock_is_409_and_keeps_the_line(
    client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)

    response = client.patch(f"/api/cart/items/{dune['id']}/", json={"quantity": 6},
                            headers=alice)

    assert_error(response, 409, "quantity")
    assert lines(cart(client, alice)) == [(dune["id"], 2)]


@pytest.mark.parametrize("quantity", [0, 1])
def test_patch_of_a_line_not_in_the_cart_is_404(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any], quantity: int
) -> None:
    fill(client, alice, emma["id"], 1)

    for product_id in (dune["id"], 999):
        response = client.patch(f"/api/cart/items/{product_id}/", json={"quantity": quantity},
                                headers=alice)
        assert_error(response, 404)
    assert lines(cart(client, alice)) == [(emma["id"], 1)]


def test_delete_of_a_line_answers_the_cart_without_it(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 1)

    response = client.delete(f"/api/cart/items/{emma['id']}/", headers=alice)

    assert response.status_code == 200
    assert lines(response.get_json()) == [(dune["id"], 2)]
    assert cart(client, alice) == response.get_json()


def test_delete_of_a_line_not_in_the_cart_is_404(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, emma["id"], 1)

    assert_error(client.delete(f"/api/cart/items/{dune['id']}/", headers=alice), 404)
    assert_error(client.delete("/api/cart/items/999/", headers=alice), 404)
    assert lines(cart(client, alice)) == [(emma["id"], 1)]


@pytest.mark.both_databases
def test_delete_of_the_cart_empties_it_with_204(
    client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 1)

    response = client.delete("/api/cart/", headers=alice)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert cart(client, alice) == EMPTY
    assert client.delete("/api/cart/", headers=alice).status_code == 204


# One cart per user


@pytest.mark.both_databases
def test_each_user_sees_only_their_own_cart(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    bob = shop.customer("bob")
    fill(client, alice, dune["id"], 2)
    fill(client, bob, emma["id"], 1)

    assert lines(cart(client, alice)) == [(dune["id"], 2)]
    assert lines(cart(client, bob)) == [(emma["id"], 1)]


def test_another_users_cart_line_answers_404_and_stays(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    bob = shop.customer("bob")
    fill(client, alice, dune["id"], 2)

    patched = client.patch(f"/api/cart/items/{dune['id']}/", json={"quantity": 1}, headers=bob)
    deleted = client.delete(f"/api/cart/items/{dune['id']}/", headers=bob)
    cleared = client.delete("/api/cart/", headers=bob)

    assert_error(patched, 404)
    assert_error(deleted, 404)
    assert cleared.status_code == 204
    assert lines(cart(client, alice)) == [(dune["id"], 2)]
    assert cart(client, bob) == EMPTY


CART_CALLS = [("get", "/api/cart/", None), ("delete", "/api/cart/", None),
              ("post", "/api/cart/add/", {"product_id": 1, "quantity": 1}),
              ("patch", "/api/cart/items/1/", {"quantity": 1}),
              ("delete", "/api/cart/items/1/", None)]


@pytest.mark.parametrize(("method", "path", "body"), CART_CALLS)
def test_the_cart_is_401_without_a_valid_token(
    client: Any, method: str, path: str, body: dict[str, Any] | None
) -> None:
    anonymous = getattr(client, method)(path, json=body)
    forged = getattr(client, method)(path, json=body,
                                     headers={"Authorization": "Bearer not-a-jwt"})

    assert_error(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(forged, 401)


def test_a_refresh_token_is_not_accepted_on_the_cart(shop: Shop, client: Any) -> None:
    shop.register("carol")
    refresh = shop.login("carol")["refresh"]

    assert_error(client.get("/api/cart/", headers={"Authorization": f"Bearer {refresh}"}), 401)


def test_authentication_comes_before_body_validation(client: Any) -> None:
    assert_error(client.post("/api/cart/add/", json={"bogus": 1}), 401)
    assert_error(client.patch("/api/cart/items/1/", json={"quantity": "x"}), 401)


# Bad input


DUNE = object()
BAD_ADDS: list[tuple[Any, str]] = [
    ({}, "product_id"),
    ({"product_id": DUNE}, "quantity"),
    ({"quantity": 1}, "product_id"),
    ({"product_id": DUNE, "quantity": "2"}, "quantity"),
    ({"product_id": DUNE, "quantity": 1.5}, "quantity"),
    ({"product_id": DUNE, "quantity": 2.0}, "quantity"),
    ({"product_id": DUNE, "quantity": True}, "quantity"),
    ({"product_id": DUNE, "quantity": None}, "quantity"),
    ({"product_id": DUNE, "quantity": [1]}, "quantity"),
    ({"product_id": DUNE, "quantity": 0}, "quantity"),
    ({"product_id": DUNE, "quantity": -1}, "quantity"),
    ({"product_id": DUNE, "quantity": MAX_LINE_QUANTITY + 1}, "quantity"),
    ({"product_id": DUNE, "quantity": 2**70}, "quantity"),
    ({"product_id": "1", "quantity": 1}, "product_id"),
    ({"product_id": 1.5, "quantity": 1}, "product_id"),
    ({"product_id": True, "quantity": 1}, "product_id"),
    ({"product_id": None, "quantity": 1}, "product_id"),
    ({"product_id": 0, "quantity": 1}, "product_id"),
    ({"product_id": -1, "quantity": 1}, "product_id"),
    ({"product_id": 2**70, "quantity": 1}, "product_id"),
    ({"product_id": DUNE, "quantity": 1, "price": "0.01"}, "price"),
    ({"product_id": DUNE, "quantity": 1, "user_id": 1}, "user_id"),
    ([{"product_id": 1, "quantity": 1}], NO_FIELD),
    ("Dune", NO_FIELD),
    (None, NO_FIELD),
]


@pytest.mark.parametrize(("body", "field"), BAD_ADDS)
def test_bad_input_to_add_is_400_and_writes_nothing(
    client: Any, alice: Headers, dune: dict[str, Any], body: Any, field: str
) -> None:
    if isinstance(body, dict):
        body = {k: dune["id"] if v is DUNE else v for k, v in body.items()}

    response = client.post("/api/cart/add/", data=json.dumps(body),
                           content_type="application/json", headers=alice)

    assert_error(response, 400, field)
    assert cart(client, alice) == EMPTY


@pytest.mark.parametrize(("body", "field"), [
    ({}, "quantity"),
    ({"quantity": "2"}, "quantity"),
    ({"quantity": 1.5}, "quantity"),
    ({"quantity": True}, "quantity"),
    ({"quantity": None}, "quantity"),
    ({"quantity": -1}, "quantity"),
    ({"quantity": MAX_LINE_QUANTITY + 1}, "quantity"),
    ({"quantity": 1, "product_id": 2}, "product_id"),
    ([1], NO_FIELD),
])
def test_bad_input_to_patch_is_400_and_changes_nothing(
    client: Any, alice: Headers, dune: dict[str, Any], body: Any, field: str
) -> None:
    fill(client, alice, dune["id"], 2)

    response = client.patch(f"/api/cart/items/{dune['id']}/", json=body, headers=alice)

    assert_error(response, 400, field)
    assert lines(cart(client, alice)) == [(dune["id"], 2)]


@pytest.mark.parametrize("product_id", ["-1", "abc", "1.5", "99999999999999999999"])
def test_a_line_id_that_is_not_a_positive_integer_is_404(
    client: Any, alice: Headers, product_id: str
) -> None:
    url = f"/api/cart/items/{product_id}/"

    assert_error(client.patch(url, json={"quantity": 1}, headers=alice), 404)
    assert_error(client.delete(url, headers=alice), 404)


# Problems: what changed since a line was added, seen through the cache


@pytest.mark.both_databases
def test_a_price_change_shows_the_new_price_and_a_price_changed_problem(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    assert cart(client, alice)["total"] == "25.00"

    client.patch(f"/api/products/{dune['id']}/", json={"price": "10.00"}, headers=staff)
    body = cart(client, alice)

    assert body["items"] == [{"product_id": dune["id"], "name": "Dune", "unit_price": "10.00",
                              "quantity": 2, "line_total": "20.00"}]
    assert body["total"] == "20.00"
    [problem] = body["problems"]
    assert (problem["product_id"], problem["code"]) == (dune["id"], "price_changed")
    assert "10.00" in problem["message"]
    assert "12.50" in problem["message"]


def test_a_stock_cut_below_the_line_shows_an_out_of_stock_problem(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 3)
    assert cart(client, alice)["problems"] == []

    client.patch(f"/api/products/{dune['id']}/", json={"stock": 1}, headers=staff)
    body = cart(client, alice)

    assert lines(body) == [(dune["id"], 3)]
    [problem] = body["problems"]
    assert (problem["product_id"], problem["code"]) == (dune["id"], "out_of_stock")
    assert "1" in problem["message"]


@pytest.mark.both_databases
def test_a_deleted_product_leaves_the_items_and_shows_as_unavailable(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any], emma: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 2)
    fill(client, alice, emma["id"], 1)
    assert cart(client, alice)["total"] == "28.00"

    client.delete(f"/api/products/{dune['id']}/", headers=staff)
    body = cart(client, alice)

    assert lines(body) == [(emma["id"], 1)]
    assert (body["total"], body["item_count"]) == ("3.00", 1)
    [problem] = body["problems"]
    assert (problem["product_id"], problem["code"]) == (dune["id"], "unavailable")
    assert "Dune" in problem["message"]
    response = client.delete(f"/api/cart/items/{dune['id']}/", headers=alice)
    assert response.status_code == 200
    assert response.get_json()["problems"] == []


def test_a_renamed_product_shows_its_new_name_without_a_problem(
    client: Any, staff: Headers, alice: Headers, dune: dict[str, Any]
) -> None:
    fill(client, alice, dune["id"], 1)
    cart(client, alice)

    client.patch(f"/api/products/{dune['id']}/", json={"name": "Dune Messiah"}, headers=staff)

    body = cart(client, alice)
    assert body["items"][0]["name"] == "Dune Messiah"
    assert body["problems"] == []


def test_a_cached_cart_is_not_another_users_cart(
    shop: Shop, client: Any, alice: Headers, dune: dict[str, Any]
) -> None:
    bob = shop.customer("bob")
    fill(client, alice, dune["id"], 1)
    cart(client, alice)

    assert cart(client, bob) == EMPTY


# The cart read model in Redis


@pytest.fixture
def redis_shop(database_url: str) -> Iterator[tuple[Shop, Any]]:
    """An app whose cart cache is the local Redis (test database), and a client of it."""
    import redis

    client = redis.Redis.from_url(REDIS_TEST_URL, decode_responses=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        service_missing("Redis", exc)
    for key in client.scan_iter("cart:*"):
        client.delete(key)
    app = create_app(make_settings(database_url, redis_url=REDIS_TEST_URL))
    yield Shop(app, app.test_client()), client
    shop_of(app).close()
    for key in client.scan_iter("cart:*"):
        client.delete(key)
    client.close()


@pytest.mark.redis
def test_redis_holds_the_cart_after_a_read_and_drops_it_on_every_change(
    redis_shop: tuple[Shop, Any]
) -> None:
    shop, redis_client = redis_shop
    staff = shop.staff()
    alice_id = shop.register("alice")["id"]
    alice = {"Authorization": f"Bearer {shop.login('alice')['access']}"}
    books = make_category(shop.client, staff, "Books")
    dune = make_product(shop.client, staff, books["id"], "Dune", "12.50", stock=5)
    key = f"cart:{alice_id}"

    fill(shop.client, alice, dune["id"], 2)
    assert redis_client.get(key) is None
    read = cart(shop.client, alice)
    stored = json.loads(redis_client.get(key))
    assert isinstance(stored.pop("epoch"), int)
    assert stored == read
    assert 0 < redis_client.ttl(key) <= 3600

    shop.client.patch(f"/api/cart/items/{dune['id']}/", json={"quantity": 3}, headers=alice)
    assert redis_client.get(key) is None
    assert lines(cart(shop.client, alice)) == [(dune["id"], 3)]
    assert redis_client.get(key) is not None

    shop.client.patch(f"/api/products/{dune['id']}/", json={"price": "9.00"}, headers=staff)
    assert redis_client.get(key) is None
    assert cart(shop.client, alice)["total"] == "27.00"

    shop.client.delete("/api/cart/", headers=alice)
    assert redis_client.get(key) is None
    assert cart(shop.client, alice) == EMPTY


def assert_a_hit_answers_the_bytes_of_a_miss(shop: Shop) -> None:
    staff = shop.staff()
    alice = shop.customer("alice")
    books = make_category(shop.client, staff, "Bücher")
    for name in ("Café “Ñandú” 🍰", 'Quote " and \\ slash'):
        product = make_product(shop.client, staff, books["id"], name, "12.50", stock=5)
        fill(shop.client, alice, product["id"], 2)

    miss = shop.client.get("/api/cart/", headers=alice)
    hit = shop.client.get("/api/cart/", headers=alice)

    assert (hit.status_code, hit.data, hit.content_type) == (200, miss.data, miss.content_type)
    assert hit.data.endswith(b"}\n") and "Café “Ñandú” 🍰".encode() in hit.data


def test_a_cached_cart_answers_the_very_bytes_the_database_answered(shop: Shop) -> None:
    assert_a_hit_answers_the_bytes_of_a_miss(shop)


@pytest.mark.redis
def test_a_cart_cached_in_redis_answers_the_very_bytes_the_database_answered(
    redis_shop: tuple[Shop, Any]
) -> None:
    assert_a_hit_answers_the_bytes_of_a_miss(redis_shop[0])


# The OpenAPI document


def test_every_cart_endpoint_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {"/api/cart/": {"get", "delete"}, "/api/cart/add/": {"post"},
                "/api/cart/items/{product_id}/": {"patch", "delete"}}

    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods:
            assert paths[path][method]["security"] == [{"bearerAuth": []}], (path, method)
    cart_schema = spec["components"]["schemas"]["Cart"]
    assert set(cart_schema["properties"]) == CART_FIELDS
    add_schema = spec["components"]["schemas"]["CartAdd"]
    assert set(add_schema["required"]) == {"product_id", "quantity"}
    assert add_schema["properties"]["quantity"]["minimum"] == 1
