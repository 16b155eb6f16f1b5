"""The catalog over HTTP (categories and products); `both_databases` where storage shows."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import NO_FIELD, Headers, assert_error, make_category, make_product

PRODUCT_FIELDS = {"id", "name", "slug", "description", "price", "currency", "category",
                  "stock", "in_stock", "created_at", "updated_at"}
CATEGORY_FIELDS = {"id", "name", "slug", "description", "product_count"}


@pytest.fixture
def customer(shop: Any) -> Headers:
    return shop.customer()  # type: ignore[no-any-return]


@pytest.fixture
def books(client: Any, staff: Headers) -> dict[str, Any]:
    return make_category(client, staff, "Books")


def count(client: Any, path: str) -> int:
    response = client.get(path)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["count"]  # type: ignore[no-any-return]


def names(client: Any, query: str) -> list[str]:
    response = client.get(f"/api/products/?{query}")
    assert response.status_code == 200, response.get_json()
    return [p["name"] for p in response.get_json()["results"]]


# Categories


@pytest.mark.both_databases
def test_staff_creates_a_category_that_anyone_can_read(client: Any, staff: Headers) -> None:
    created = make_category(client, staff, "Science Fiction", description="Far futures")

    assert set(created) == CATEGORY_FIELDS
    assert created["name"] == "Science Fiction"
    assert created["slug"] == "science-fiction"
    assert created["description"] == "Far futures"
    assert created["product_count"] == 0
    assert client.get(f"/api/categories/{created['id']}/").get_json() == created


def test_a_category_description_defaults_to_empty(client: Any, staff: Headers) -> None:
    assert make_category(client, staff, "Toys")["description"] == ""


def test_the_category_list_is_a_page_with_product_counts(
    client: Any, staff: Headers
) -> None:
    books = make_category(client, staff, "Books")
    toys = make_category(client, staff, "Toys")
    make_product(client, staff, books["id"], "Dune")
    make_product(client, staff, books["id"], "Emma")

    body = client.get("/api/categories/").get_json()

    assert body["count"] == 2
    assert body["next"] is None
    assert body["previous"] is None
    assert [(c["id"], c["product_count"]) for c in body["results"]] == [
        (books["id"], 2), (toys["id"], 0)]
    assert all(set(c) == CATEGORY_FIELDS for c in body["results"])


@pytest.mark.both_databases
def test_a_taken_category_name_is_409_ignoring_case(client: Any, staff: Headers) -> None:
    make_category(client, staff, "Books")

    response = client.post("/api/categories/", json={"name": "  bOOKS "}, headers=staff)

    assert_error(response, 409, "name")
    assert count(client, "/api/categories/") == 1


@pytest.mark.both_databases
def test_categories_with_the_same_slug_get_distinct_slugs(client: Any, staff: Headers) -> None:
    first = make_category(client, staff, "Books!")
    second = make_category(client, staff, "Books?")

    assert (first["slug"], second["slug"]) == ("books", "books-2")


@pytest.mark.both_databases
def test_unicode_category_names_are_kept_and_slugged(client: Any, staff: Headers) -> None:
    accented = make_category(client, staff, "Café Ωmega")
    japanese = make_category(client, staff, "日本の本")

    assert accented["name"] == "Café Ωmega"
    assert accented["slug"] == "cafe-mega"
    assert japanese["name"] == "日本の本"
    assert japanese["slug"] == "item"
    assert client.get(f"/api/categories/{japanese['id']}/").get_json()["name"] == "日本の本"


def test_put_replaces_a_category_and_keeps_an_omitted_description(
    client: Any, staff: Headers
) -> None:
    category = make_category(client, staff, "Books", description="Paper")

    response = client.put(f"/api/categories/{category['id']}/", json={"name": "Novels"},
                          headers=staff)

    assert response.status_code == 200
    assert response.get_json() == {**category, "name": "Novels", "slug": "novels"}


def test_put_needs_the_category_name(client: Any, staff: Headers, books: dict[str, Any]) -> None:
    response = client.put(f"/api/categories/{books['id']}/", json={"description": "x"},
                          headers=staff)

    assert_error(response, 400, "name")
    assert client.get(f"/api/categories/{books['id']}/").get_json() == books


def test_patch_changes_only_the_given_category_fields(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    response = client.patch(f"/api/categories/{books['id']}/", json={"description": "Paper"},
                            headers=staff)

    assert response.status_code == 200
    assert response.get_json() == {**books, "description": "Paper"}
    assert client.get(f"/api/categories/{books['id']}/").get_json()["description"] == "Paper"


def test_a_category_keeps_its_slug_when_renamed_to_another_case(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    response = client.patch(f"/api/categories/{books['id']}/", json={"name": "BOOKS"},
                            headers=staff)

    assert response.status_code == 200
    assert (response.get_json()["name"], response.get_json()["slug"]) == ("BOOKS", "books")


@pytest.mark.both_databases
def test_renaming_a_category_to_a_taken_name_is_409(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    toys = make_category(client, staff, "Toys")

    response = client.patch(f"/api/categories/{toys['id']}/", json={"name": "books"},
                            headers=staff)

    assert_error(response, 409, "name")
    assert client.get(f"/api/categories/{toys['id']}/").get_json() == toys


def test_deleting_an_empty_category_answers_204_and_removes_it(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    response = client.delete(f"/api/categories/{books['id']}/", headers=staff)

    assert response.status_code == 204
    assert response.get_data() == b""
    assert_error(client.get(f"/api/categories/{books['id']}/"), 404)
    assert count(client, "/api/categories/") == 0


@pytest.mark.both_databases
def test_deleting_a_category_with_products_is_409_and_keeps_it(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    make_product(client, staff, books["id"])

    response = client.delete(f"/api/categories/{books['id']}/", headers=staff)

    assert_error(response, 409)
    assert client.get(f"/api/categories/{books['id']}/").get_json()["product_count"] == 1


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_unknown_category_is_404(client: Any, staff: Headers, method: str) -> None:
    response = getattr(client, method)("/api/categories/999/", json={"name": "Toys"},
                                       headers=staff)

    assert_error(response, 404)


@pytest.mark.parametrize("path", ["/api/categories/abc/", "/api/categories/-1/",
                                  "/api/categories/1.5/", "/api/categories/99999999999999999999/",
                                  "/api/products/abc/", "/api/products/-1/",
                                  "/api/products/99999999999999999999/"])
def test_an_id_that_is_not_a_positive_integer_is_404(client: Any, path: str) -> None:
    assert_error(client.get(path), 404)


CATEGORY_WRITES = [("post", "/api/categories/", {"name": "Toys"}),
                   ("put", "/api/categories/{id}/", {"name": "Toys"}),
                   ("patch", "/api/categories/{id}/", {"name": "Toys"}),
                   ("delete", "/api/categories/{id}/", None)]


@pytest.mark.parametrize(("method", "path", "body"), CATEGORY_WRITES)
def test_category_writes_are_401_for_anonymous_and_403_for_customers(
    client: Any, books: dict[str, Any], customer: Headers, method: str, path: str,
    body: dict[str, Any] | None,
) -> None:
    url = path.format(id=books["id"])

    anonymous = getattr(client, method)(url, json=body)
    as_customer = getattr(client, method)(url, json=body, headers=customer)

    assert_error(anonymous, 401)
    assert anonymous.headers["WWW-Authenticate"].startswith("Bearer")
    assert_error(as_customer, 403)
    assert client.get("/api/categories/").get_json()["results"] == [books]


def test_a_bad_token_is_401_on_a_staff_write(client: Any) -> None:
    response = client.post("/api/categories/", json={"name": "Toys"},
                           headers={"Authorization": "Bearer not-a-jwt"})

    assert_error(response, 401)
    assert count(client, "/api/categories/") == 0


def test_authentication_comes_before_body_validation(client: Any, customer: Headers) -> None:
    assert_error(client.post("/api/categories/", json={"bogus": 1}), 401)
    assert_error(client.post("/api/categories/", json={"bogus": 1}, headers=customer), 403)


@pytest.mark.parametrize(("body", "field"), [
    ({}, "name"),
    ({"name": ""}, "name"),
    ({"name": "   "}, "name"),
    ({"name": 5}, "name"),
    ({"name": None}, "name"),
    ({"name": ["Books"]}, "name"),
    ({"name": "x" * 101}, "name"),
    ({"name": "nul\x00byte"}, "name"),
    ({"name": "Toys", "description": None}, "description"),
    ({"name": "Toys", "description": 3}, "description"),
    ({"name": "Toys", "id": 7}, "id"),
    ({"name": "Toys", "slug": "toys"}, "slug"),
    ({"name": "Toys", "product_count": 3}, "product_count"),
    ({"name": "Toys", "colour": "red"}, "colour"),
    (["Toys"], NO_FIELD),
    ("Toys", NO_FIELD),
])
def test_bad_category_input_is_400_and_writes_nothing(
    client: Any, staff: Headers, body: Any, field: str
) -> None:
    response = client.post("/api/categories/", json=body, headers=staff)

    assert_error(response, 400, field)
    assert count(client, "/api/categories/") == 0


def test_bad_category_changes_are_400_and_change_nothing(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    url = f"/api/categories/{books['id']}/"

    assert_error(client.patch(url, json={"name": ""}, headers=staff), 400, "name")
    assert_error(client.patch(url, json={"slug": "x"}, headers=staff), 400, "slug")
    assert_error(client.put(url, json={"name": "Toys", "extra": 1}, headers=staff), 400, "extra")
    assert client.get(url).get_json() == books


# Products


@pytest.mark.both_databases
def test_staff_creates_a_product_and_anyone_reads_it(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    created = make_product(client, staff, books["id"], "Dune", "12.50",
                           description="Spice", stock=5)

    assert set(created) == PRODUCT_FIELDS
    assert created["name"] == "Dune"
    assert created["slug"] == "dune"
    assert created["description"] == "Spice"
    assert created["price"] == "12.50"
    assert created["currency"] == "USD"
    assert created["category"] == books["id"]
    assert created["stock"] == 5
    assert created["in_stock"] is True
    created_at = datetime.fromisoformat(created["created_at"])
    assert created_at.utcoffset() is not None
    assert datetime.fromisoformat(created["updated_at"]) == created_at
    assert client.get(f"/api/products/{created['id']}/").get_json() == created


@pytest.mark.parametrize(("price", "shown"), [
    (12, "12.00"), (12.5, "12.50"), ("12.5", "12.50"), (0, "0.00"), ("0", "0.00"),
    (0.1, "0.10"), (19.99, "19.99"), ("19.990", "19.99"), ("1e2", "100.00"),
    ("99999999.99", "99999999.99"),
])
def test_a_price_is_a_json_number_or_a_decimal_string(
    client: Any, staff: Headers, books: dict[str, Any], price: Any, shown: str
) -> None:
    assert make_product(client, staff, books["id"], price=price)["price"] == shown


def test_omitted_or_null_stock_is_untracked_and_in_stock(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    omitted = make_product(client, staff, books["id"], "Dune")
    null = make_product(client, staff, books["id"], "Emma", stock=None)
    empty = make_product(client, staff, books["id"], "Ulysses", stock=0)

    assert (omitted["stock"], omitted["in_stock"]) == (None, True)
    assert (null["stock"], null["in_stock"]) == (None, True)
    assert (empty["stock"], empty["in_stock"]) == (0, False)


@pytest.mark.both_databases
def test_unicode_product_names_round_trip(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"], "Crème brûlée ☕ 東京",
                           description="naïve — ünïcödé 🍰")

    fetched = client.get(f"/api/products/{product['id']}/").get_json()

    assert fetched["name"] == "Crème brûlée ☕ 東京"
    assert fetched["description"] == "naïve — ünïcödé 🍰"
    assert fetched["slug"] == "creme-brulee"


@pytest.mark.both_databases
def test_products_with_the_same_name_get_distinct_slugs(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    first = make_product(client, staff, books["id"], "Dune")
    second = make_product(client, staff, books["id"], "dune")

    assert (first["slug"], second["slug"]) == ("dune", "dune-2")


BAD_PRODUCTS: list[tuple[dict[str, Any], str]] = [
    ({"price": "1", "category": 0}, "name"),
    ({"name": "Dune", "category": 0}, "price"),
    ({"name": "Dune", "price": "1"}, "category"),
    ({"name": "", "price": "1", "category": 0}, "name"),
    ({"name": "  ", "price": "1", "category": 0}, "name"),
    ({"name": "x" * 256, "price": "1", "category": 0}, "name"),
    ({"name": 7, "price": "1", "category": 0}, "name"),
    ({"name": "Dune", "price": -1, "category": 0}, "price"),
    ({"name": "Dune", "price": "-0.01", "category": 0}, "price"),
    ({"name": "Dune", "price": "1.234", "category": 0}, "price"),
    ({"name": "Dune", "price": 1.234, "category": 0}, "price"),
    ({"name": "Dune", "price": "abc", "category": 0}, "price"),
    ({"name": "Dune", "price": "", "category": 0}, "price"),
    ({"name": "Dune", "price": "NaN", "category": 0}, "price"),
    ({"name": "Dune", "price": "Infinity", "category": 0}, "price"),
    ({"name": "Dune", "price": "100000000", "category": 0}, "price"),
    ({"name": "Dune", "price": "1e30", "category": 0}, "price"),
    ({"name": "Dune", "price": 1e30, "category": 0}, "price"),
    ({"name": "Dune", "price": True, "category": 0}, "price"),
    ({"name": "Dune", "price": None, "category": 0}, "price"),
    ({"name": "Dune", "price": ["1"], "category": 0}, "price"),
    ({"name": "Dune", "price": "1", "category": "CAT"}, "category"),
    ({"name": "Dune", "price": "1", "category": 1.5}, "category"),
    ({"name": "Dune", "price": "1", "category": True}, "category"),
    ({"name": "Dune", "price": "1", "category": None}, "category"),
    ({"name": "Dune", "price": "1", "category": 999}, "category"),
    ({"name": "Dune", "price": "1", "category": -1}, "category"),
    ({"name": "Dune", "price": "1", "category": 2**70}, "category"),
    ({"name": "Dune", "price": "1", "category": 0, "stock": -1}, "stock"),
    ({"name": "Dune", "price": "1", "category": 0, "stock": "3"}, "stock"),
    ({"name": "Dune", "price": "1", "category": 0, "stock": 1.5}, "stock"),
    ({"name": "Dune", "price": "1", "category": 0, "stock": True}, "stock"),
    ({"name": "Dune", "price": "1", "category": 0, "stock": 2**31}, "stock"),
    ({"name": "Dune", "price": "1", "category": 0, "description": None}, "description"),
    ({"name": "Dune", "price": "1", "category": 0, "description": "a\x00b"}, "description"),
    ({"name": "Dune", "price": "1", "category": 0, "id": 1}, "id"),
    ({"name": "Dune", "price": "1", "category": 0, "slug": "dune"}, "slug"),
    ({"name": "Dune", "price": "1", "category": 0, "currency": "EUR"}, "currency"),
    ({"name": "Dune", "price": "1", "category": 0, "in_stock": True}, "in_stock"),
    ({"name": "Dune", "price": "1", "category": 0, "created_at": "2020-01-01T00:00:00Z"},
     "created_at"),
    ({"name": "Dune", "price": "1", "category": 0, "updated_at": "2020-01-01T00:00:00Z"},
     "updated_at"),
    ({"name": "Dune", "price": "1", "category": 0, "category_id": 1}, "category_id"),
]


@pytest.mark.parametrize(("body", "field"), BAD_PRODUCTS)
def test_bad_product_input_is_400_and_writes_nothing(
    client: Any, staff: Headers, books: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    if body.get("category") == 0:
        body = {**body, "category": books["id"]}

    response = client.post("/api/products/", json={"description": "", **body}, headers=staff)

    assert_error(response, 400, field)
    assert count(client, "/api/products/") == 0


def test_a_new_product_without_a_description_is_400_as_api_md_requires_it(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    body = {"name": "Dune", "price": "1", "category": books["id"]}

    response = client.post("/api/products/", json=body, headers=staff)

    assert_error(response, 400, "description")
    assert count(client, "/api/products/") == 0


PRODUCT_WRITES = [("post", "/api/products/", {"name": "X", "price": "1", "category": 1}),
                  ("put", "/api/products/{id}/", {"name": "X", "price": "1", "category": 1}),
                  ("patch", "/api/products/{id}/", {"price": "1"}),
                  ("delete", "/api/products/{id}/", None)]


@pytest.mark.parametrize(("method", "path", "body"), PRODUCT_WRITES)
def test_product_writes_are_401_for_anonymous_and_403_for_customers(
    client: Any, staff: Headers, books: dict[str, Any], customer: Headers, method: str,
    path: str, body: dict[str, Any] | None,
) -> None:
    product = make_product(client, staff, books["id"])
    url = path.format(id=product["id"])

    assert_error(getattr(client, method)(url, json=body), 401)
    assert_error(getattr(client, method)(url, json=body, headers=customer), 403)
    assert client.get("/api/products/").get_json()["results"] == [product]


def test_put_replaces_a_product_and_keeps_omitted_stock_and_description(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    toys = make_category(client, staff, "Toys")
    product = make_product(client, staff, books["id"], "Dune", "12.50", description="Spice",
                           stock=4)

    response = client.put(f"/api/products/{product['id']}/",
                          json={"name": "Kite", "price": 3, "category": toys["id"]},
                          headers=staff)

    body = response.get_json()
    assert response.status_code == 200
    assert {k: body[k] for k in ("name", "slug", "price", "category", "stock", "description")} \
        == {"name": "Kite", "slug": "kite", "price": "3.00", "category": toys["id"],
            "stock": 4, "description": "Spice"}
    assert body["created_at"] == product["created_at"]
    assert datetime.fromisoformat(body["updated_at"]) >= datetime.fromisoformat(
        product["updated_at"])
    assert client.get(f"/api/products/{product['id']}/").get_json() == body


def test_put_with_null_stock_makes_stock_untracked(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"], stock=0)

    response = client.put(f"/api/products/{product['id']}/",
                          json={"name": "Dune", "price": "12.50", "category": books["id"],
                                "stock": None}, headers=staff)

    assert response.status_code == 200
    assert (response.get_json()["stock"], response.get_json()["in_stock"]) == (None, True)


def test_put_needs_name_price_and_category(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"])

    response = client.put(f"/api/products/{product['id']}/", json={"stock": 3}, headers=staff)

    body = assert_error(response, 400)
    assert {"name", "price", "category"} <= set(body["errors"])
    assert client.get(f"/api/products/{product['id']}/").get_json() == product


def test_patch_changes_only_the_given_product_fields(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"], "Dune", "12.50", stock=4)

    response = client.patch(f"/api/products/{product['id']}/", json={"price": "9.99"},
                            headers=staff)

    body = response.get_json()
    assert response.status_code == 200
    assert {k: v for k, v in body.items() if k != "updated_at"} == {
        **{k: v for k, v in product.items() if k != "updated_at"}, "price": "9.99"}
    assert client.get(f"/api/products/{product['id']}/").get_json() == body


def test_patch_can_track_and_untrack_stock(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"])
    url = f"/api/products/{product['id']}/"

    tracked = client.patch(url, json={"stock": 0}, headers=staff).get_json()
    untracked = client.patch(url, json={"stock": None}, headers=staff).get_json()

    assert (tracked["stock"], tracked["in_stock"]) == (0, False)
    assert (untracked["stock"], untracked["in_stock"]) == (None, True)


def test_renaming_a_product_gives_it_a_new_unique_slug(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    make_product(client, staff, books["id"], "Emma")
    product = make_product(client, staff, books["id"], "Dune")

    response = client.patch(f"/api/products/{product['id']}/", json={"name": "Emma"},
                            headers=staff)

    assert response.get_json()["slug"] == "emma-2"


@pytest.mark.parametrize(("body", "field"), [
    ({"category": 999}, "category"),
    ({"category": "1"}, "category"),
    ({"price": "-5"}, "price"),
    ({"stock": -1}, "stock"),
    ({"name": ""}, "name"),
    ({"id": 5}, "id"),
    ({"in_stock": False}, "in_stock"),
])
def test_bad_product_changes_are_400_and_change_nothing(
    client: Any, staff: Headers, books: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    product = make_product(client, staff, books["id"], stock=2)

    response = client.patch(f"/api/products/{product['id']}/", json=body, headers=staff)

    assert_error(response, 400, field)
    assert client.get(f"/api/products/{product['id']}/").get_json() == product


def test_deleting_a_product_answers_204_and_removes_it(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"])

    response = client.delete(f"/api/products/{product['id']}/", headers=staff)

    assert response.status_code == 204
    assert_error(client.get(f"/api/products/{product['id']}/"), 404)
    assert count(client, "/api/products/") == 0
    assert client.get(f"/api/categories/{books['id']}/").get_json()["product_count"] == 0


@pytest.mark.parametrize("method", ["get", "put", "patch", "delete"])
def test_an_unknown_product_is_404(
    client: Any, staff: Headers, books: dict[str, Any], method: str
) -> None:
    body = {"name": "Dune", "price": "1", "category": books["id"]}

    assert_error(getattr(client, method)("/api/products/999/", json=body, headers=staff), 404)


# Listing products: filters and ordering


@pytest.fixture
def shelf(client: Any, staff: Headers, books: dict[str, Any]) -> dict[str, Any]:
    """Created in this order: Charlie (books, 10.00, stock 3), Alpha (toys, 15.00, untracked),
    Bravo (books, 5.00, stock 0): id, name and price orders all differ."""
    toys = make_category(client, staff, "Toys")
    make_product(client, staff, books["id"], "Charlie", "10.00", stock=3)
    make_product(client, staff, toys["id"], "Alpha", "15.00")
    make_product(client, staff, books["id"], "Bravo", "5.00", stock=0)
    return {"books": books["id"], "toys": toys["id"]}


def test_products_are_listed_by_id_by_default(client: Any, shelf: dict[str, Any]) -> None:
    body = client.get("/api/products/").get_json()

    assert body["count"] == 3
    assert (body["next"], body["previous"]) == (None, None)
    assert [p["name"] for p in body["results"]] == ["Charlie", "Alpha", "Bravo"]
    assert all(set(p) == PRODUCT_FIELDS for p in body["results"])
    assert [p["price"] for p in body["results"]] == ["10.00", "15.00", "5.00"]
    assert [p["stock"] for p in body["results"]] == [3, None, 0]
    assert [p["in_stock"] for p in body["results"]] == [True, True, False]


def test_products_filter_by_category(client: Any, shelf: dict[str, Any]) -> None:
    assert names(client, f"category={shelf['books']}") == ["Charlie", "Bravo"]
    assert names(client, f"category={shelf['toys']}") == ["Alpha"]


@pytest.mark.parametrize("value", ["abc", "1.5", "", "999", "0", "-1", "99999999999999999999",
                                   "true"])
def test_a_category_filter_that_is_not_a_known_id_is_400(
    client: Any, shelf: dict[str, Any], value: str
) -> None:
    assert_error(client.get(f"/api/products/?category={value}"), 400, "category")


@pytest.mark.parametrize(("query", "expected"), [
    ("min_price=10", ["Charlie", "Alpha"]),
    ("min_price=10.00", ["Charlie", "Alpha"]),
    ("min_price=10.01", ["Alpha"]),
    ("max_price=10", ["Charlie", "Bravo"]),
    ("max_price=9.99", ["Bravo"]),
    ("min_price=10&max_price=10", ["Charlie"]),
    ("min_price=5&max_price=15", ["Charlie", "Alpha", "Bravo"]),
    ("min_price=15.01", []),
    ("max_price=4.99", []),
])
def test_price_filters_are_inclusive(
    client: Any, shelf: dict[str, Any], query: str, expected: list[str]
) -> None:
    assert names(client, query) == expected


@pytest.mark.parametrize("query", [
    "min_price=abc", "max_price=abc", "min_price=", "min_price=1.234", "max_price=NaN",
    "min_price=Infinity", "max_price=1e30", "min_price=10&max_price=5",
])
def test_a_price_filter_that_does_not_parse_is_400(
    client: Any, shelf: dict[str, Any], query: str
) -> None:
    assert_error(client.get(f"/api/products/?{query}"), 400, query.split("=")[0])


@pytest.mark.parametrize(("value", "expected"), [
    ("true", ["Charlie", "Alpha"]), ("1", ["Charlie", "Alpha"]), ("True", ["Charlie", "Alpha"]),
    ("false", ["Bravo"]), ("0", ["Bravo"]), ("False", ["Bravo"]),
])
def test_in_stock_counts_untracked_stock_as_in_stock(
    client: Any, shelf: dict[str, Any], value: str, expected: list[str]
) -> None:
    assert names(client, f"in_stock={value}") == expected


@pytest.mark.parametrize("value", ["yes", "maybe", "", "2", "on"])
def test_an_in_stock_value_other_than_true_or_false_is_400(
    client: Any, shelf: dict[str, Any], value: str
) -> None:
    assert_error(client.get(f"/api/products/?in_stock={value}"), 400, "in_stock")


@pytest.mark.parametrize(("ordering", "expected"), [
    ("price", ["Bravo", "Charlie", "Alpha"]),
    ("-price", ["Alpha", "Charlie", "Bravo"]),
    ("name", ["Alpha", "Bravo", "Charlie"]),
    ("-name", ["Charlie", "Bravo", "Alpha"]),
    ("created_at", ["Charlie", "Alpha", "Bravo"]),
    ("-created_at", ["Bravo", "Alpha", "Charlie"]),
])
def test_products_order_by_each_allowed_field(
    client: Any, shelf: dict[str, Any], ordering: str, expected: list[str]
) -> None:
    assert names(client, f"ordering={ordering}") == expected


@pytest.mark.both_databases
def test_equal_prices_keep_a_stable_order_by_id(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    for name in ("Xray", "Yankee", "Zulu"):
        make_product(client, staff, books["id"], name, "7.00")

    assert names(client, "ordering=price") == ["Xray", "Yankee", "Zulu"]
    assert names(client, "ordering=-price") == ["Zulu", "Yankee", "Xray"]


@pytest.mark.parametrize("value", ["foo", "price,name", "-", "PRICE", "", "id", "stock"])
def test_an_unknown_ordering_is_400(client: Any, shelf: dict[str, Any], value: str) -> None:
    assert_error(client.get(f"/api/products/?ordering={value}"), 400, "ordering")


@pytest.mark.both_databases
def test_filters_and_ordering_combine(client: Any, shelf: dict[str, Any]) -> None:
    query = f"category={shelf['books']}&in_stock=true&min_price=1&max_price=100&ordering=-name"

    assert names(client, query) == ["Charlie"]
    assert names(client, "in_stock=true&ordering=-price") == ["Alpha", "Charlie"]
    assert names(client, f"category={shelf['books']}&ordering=price") == ["Bravo", "Charlie"]


# Pagination


@pytest.mark.both_databases
def test_pages_link_to_their_neighbours_and_keep_the_filters(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    for n in range(5):
        make_product(client, staff, books["id"], f"Book {n}", "1.00")

    first = client.get("/api/products/?page_size=2&in_stock=true").get_json()
    second = client.get(first["next"]).get_json()
    last = client.get(second["next"]).get_json()

    assert [first["count"], second["count"], last["count"]] == [5, 5, 5]
    assert [len(first["results"]), len(second["results"]), len(last["results"])] == [2, 2, 1]
    assert first["previous"] is None
    assert parse_qs(urlsplit(first["next"]).query) == {
        "page_size": ["2"], "in_stock": ["true"], "page": ["2"]}
    assert urlsplit(first["next"]).path == "/api/products/"
    assert parse_qs(urlsplit(second["previous"]).query) == {
        "page_size": ["2"], "in_stock": ["true"]}
    assert last["next"] is None
    assert client.get(last["previous"]).get_json() == second
    ids = [p["id"] for page in (first, second, last) for p in page["results"]]
    assert len(set(ids)) == 5


def test_page_size_above_100_is_capped_at_100(
    shop: Any, client: Any, books: dict[str, Any]
) -> None:
    create = shop.container.use_cases.create_product
    for n in range(101):
        create()(name=f"Item {n}", price=Decimal("1.00"), category_id=books["id"])

    body = client.get("/api/products/?page_size=500").get_json()
    default = client.get("/api/products/").get_json()

    assert body["count"] == 101
    assert len(body["results"]) == 100
    assert parse_qs(urlsplit(body["next"]).query)["page"] == ["2"]
    assert len(default["results"]) == 20
    assert len(client.get(body["next"]).get_json()["results"]) == 1


@pytest.mark.parametrize("path", ["/api/products/", "/api/categories/"])
@pytest.mark.parametrize("page", ["3", "0", "-1", "abc", "1.5", ""])
def test_a_page_that_does_not_exist_is_404(
    client: Any, shelf: dict[str, Any], path: str, page: str
) -> None:
    assert_error(client.get(f"{path}?page={page}&page_size=2"), 404)


@pytest.mark.parametrize("path", ["/api/products/", "/api/categories/"])
@pytest.mark.parametrize("size", ["0", "-1", "abc", ""])
def test_a_bad_page_size_is_400(client: Any, shelf: dict[str, Any], path: str, size: str) -> None:
    assert_error(client.get(f"{path}?page_size={size}"), 400, "page_size")


def test_an_empty_list_has_one_empty_first_page(client: Any) -> None:
    for path in ("/api/products/", "/api/categories/"):
        assert client.get(path).get_json() == {"count": 0, "next": None, "previous": None,
                                               "results": []}
        assert_error(client.get(f"{path}?page=2"), 404)


def test_categories_paginate_like_products(client: Any, staff: Headers) -> None:
    for name in ("Alpha", "Bravo", "Charlie"):
        make_category(client, staff, name)

    second = client.get("/api/categories/?page=2&page_size=2").get_json()

    assert second["count"] == 3
    assert [c["name"] for c in second["results"]] == ["Charlie"]
    assert second["next"] is None
    assert parse_qs(urlsplit(second["previous"]).query) == {"page_size": ["2"]}


# Bodies at the edges (protocol errors: test_http_protocol.py)


def test_an_empty_json_body_is_400_and_writes_nothing(client: Any, staff: Headers) -> None:
    response = client.post("/api/categories/", data=b"", content_type="application/json",
                           headers=staff)

    assert_error(response, 400)
    assert count(client, "/api/categories/") == 0


@pytest.mark.both_databases
def test_a_long_description_under_the_limit_is_kept(
    client: Any, staff: Headers, books: dict[str, Any]
) -> None:
    product = make_product(client, staff, books["id"], description="é" * 100_000)

    assert client.get(f"/api/products/{product['id']}/").get_json()["description"] == "é" * 100_000


def test_every_catalog_endpoint_is_in_the_openapi_document(client: Any) -> None:
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {"/api/categories/": {"get", "post"},
                "/api/categories/{category_id}/": {"get", "put", "patch", "delete"},
                "/api/products/": {"get", "post"},
                "/api/products/{product_id}/": {"get", "put", "patch", "delete"}}

    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
        for method in methods - {"get"}:
            assert paths[path][method]["security"] == [{"bearerAuth": []}], (path, method)
    listed = {p["name"] for p in paths["/api/products/"]["get"]["parameters"]}
    assert {"category", "min_price", "max_price", "in_stock", "ordering", "page",
            "page_size"} <= listed
    product = spec["components"]["schemas"]["Product"]
    assert set(product["properties"]) >= PRODUCT_FIELDS
    assert {"name", "price", "category"} <= set(product["required"])


# Regressions: bugs outside the catalog's files that these tests found.


@pytest.mark.both_databases
def test_a_category_name_that_grows_when_casefolded_is_stored(
    client: Any, staff: Headers
) -> None:
    response = client.post("/api/categories/", json={"name": "ß" * 100}, headers=staff)

    assert response.status_code == 201, response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/products/", "/api/categories/"])
@pytest.mark.both_databases
def test_an_astronomically_large_page_is_404(client: Any, path: str) -> None:
    assert_error(client.get(f"{path}?page=99999999999999999999"), 404)
