"""GET /api/products/search/: the product list's results plus scores, facets, filters, 400s."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Headers, assert_error, make_category, make_product, shop_of

URL = "/api/products/search/"


@pytest.fixture
def catalog(app: Any, client: Any, staff: Headers) -> dict[str, Any]:
    """Computers (two laptops, one out of stock) and Accessories (a stand, a keyboard)."""
    computers = make_category(client, staff, "Computers")["id"]
    accessories = make_category(client, staff, "Accessories")["id"]
    made = {
        "pro": make_product(client, staff, computers, "Laptop Pro 15", "1499.00", stock=5),
        "gaming": make_product(client, staff, computers, "Gaming laptop", "1199.00", stock=0),
        "stand": make_product(client, staff, accessories, "Laptop stand", "39.90", stock=9),
        "keyboard": make_product(client, staff, accessories, "Mechanical keyboard", "89.00"),
    }
    shop_of(app).relay_outbox()
    return {"computers": computers, "accessories": accessories, **made}


def search(client: Any, query: str) -> dict[str, Any]:
    response = client.get(f"{URL}?{query}")
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def names(body: dict[str, Any]) -> list[str]:
    return [r["name"] for r in body["results"]]


def test_anyone_finds_a_product_by_name_with_the_product_lists_fields_and_a_score(
    client: Any, catalog: dict[str, Any],
) -> None:
    body = search(client, "q=Mechanical keyboard")
    assert set(body) == {"count", "next", "previous", "results", "facets"}
    [hit] = body["results"]
    assert isinstance(hit.pop("score"), float)
    assert hit == client.get(f"/api/products/{catalog['keyboard']['id']}/").get_json()


def test_the_exact_name_comes_first_and_a_typo_still_finds_it(
    client: Any, catalog: dict[str, Any],
) -> None:
    assert names(search(client, "q=Laptop stand"))[0] == "Laptop stand"
    assert "Laptop Pro 15" in names(search(client, "q=Lapotp"))
    assert names(search(client, "q=keybaord")) == ["Mechanical keyboard"]


def test_facets_count_every_match_while_the_page_holds_one(
    client: Any, catalog: dict[str, Any],
) -> None:
    body = search(client, "q=laptop&page_size=1")
    assert (body["count"], len(body["results"])) == (3, 1)
    assert body["next"] is not None
    assert body["facets"]["categories"] == [
        {"id": catalog["computers"], "name": "Computers", "count": 2},
        {"id": catalog["accessories"], "name": "Accessories", "count": 1}]
    assert body["facets"]["price_ranges"] == [
        {"min": "25.00", "max": "50.00", "count": 1},
        {"min": "1000.00", "max": None, "count": 2}]


@pytest.mark.parametrize(("filters", "expected"), [
    ("in_stock=true", {"Laptop Pro 15", "Laptop stand"}),
    ("in_stock=0", {"Gaming laptop"}),
    ("max_price=100", {"Laptop stand"}),
    ("min_price=1200", {"Laptop Pro 15"}),
    ("min_price=40&max_price=1500&in_stock=false", {"Gaming laptop"}),
])
def test_the_product_lists_filters_narrow_the_matches(
    client: Any, catalog: dict[str, Any], filters: str, expected: set[str],
) -> None:
    assert set(names(search(client, f"q=laptop&{filters}"))) == expected


def test_the_category_filter_takes_a_category_id(client: Any, catalog: dict[str, Any]) -> None:
    body = search(client, f"q=laptop&category={catalog['accessories']}")
    assert names(body) == ["Laptop stand"]
    assert body["facets"]["categories"] == [
        {"id": catalog["accessories"], "name": "Accessories", "count": 1}]


@pytest.mark.parametrize(("query", "field"), [
    ("", "q"), ("q=", "q"), ("q=%20%20", "q"), ("q=" + "x" * 201, "q"), ("q=a%00b", "q"),
    ("q=laptop&min_price=cheap", "min_price"), ("q=laptop&in_stock=maybe", "in_stock"),
    ("q=laptop&category=0", "category"), ("q=laptop&category=999", "category"),
    ("q=laptop&min_price=5&max_price=1", "min_price"), ("q=laptop&page_size=x", "page_size"),
])
def test_a_missing_blank_or_too_long_query_and_bad_filters_are_400(
    client: Any, catalog: dict[str, Any], query: str, field: str,
) -> None:
    assert_error(client.get(f"{URL}?{query}"), 400, field)


def test_a_page_past_the_last_is_404(client: Any, catalog: dict[str, Any]) -> None:
    assert_error(client.get(f"{URL}?q=laptop&page=9"), 404)


@pytest.mark.parametrize("query", ["' OR 1=1 --", '"', "*", "NEAR(", "-", "laptop -stand",
                                   "🙂", "ünïcödé", "\u202e", "%", "x" * 200])
def test_sql_and_fts_syntax_and_odd_unicode_answer_a_sane_200(
    client: Any, catalog: dict[str, Any], query: str,
) -> None:
    body = search(client, f"q={query.replace('%', '%25')}")
    assert body["count"] < 4 or query == "laptop -stand"


def test_a_created_renamed_and_deleted_product_shows_once_the_outbox_is_relayed(
    app: Any, client: Any, staff: Headers, catalog: dict[str, Any],
) -> None:
    mouse = make_product(client, staff, catalog["accessories"], "Wireless mouse", "24.50")
    shop_of(app).relay_outbox()
    assert names(search(client, "q=mouse")) == ["Wireless mouse"]
    client.patch(f"/api/products/{mouse['id']}/", json={"name": "Trackball"}, headers=staff)
    shop_of(app).relay_outbox()
    assert (names(search(client, "q=mouse")), names(search(client, "q=trackball"))) == (
        [], ["Trackball"])
    client.delete(f"/api/products/{mouse['id']}/", headers=staff)
    shop_of(app).relay_outbox()
    assert names(search(client, "q=trackball")) == []


def test_the_search_route_does_not_clash_with_a_product_id_and_is_documented(
    client: Any, catalog: dict[str, Any],
) -> None:
    assert client.get(f"/api/products/{catalog['pro']['id']}/").status_code == 200
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/products/search/"]["get"]
    parameters = {p["name"] for p in operation["parameters"]}
    assert {"q", "category", "min_price", "max_price", "in_stock", "page",
            "page_size"} <= parameters
    assert "ordering" not in parameters
    assert "security" not in operation
