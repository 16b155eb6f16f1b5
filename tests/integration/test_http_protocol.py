"""Protocol errors on every /api/ endpoint: 405 with Allow, 413, 415 and malformed JSON.

The endpoints come from the app's url_map, so a new one is covered without editing this file.
The special cases, explicit:
- FORM_ENDPOINTS, the HTML pages that also take a browser's form (so a form is not 415 there);
- GET and DELETE carry no body: only BODY_METHODS meet the 413, 415 and JSON checks, and
  routes without any (the GET-only ones: the OpenAPI document, Swagger UI) meet only the 405;
- the POSTs that take no body (checkout, cancel) refuse a body like any JSON endpoint, but
  an empty one is theirs to accept, as it is for PATCH: the empty body is not tried here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, select

from shopcore.adapters.sqlalchemy.tables import metadata
from shopcore.entrypoints.http import create_app
from tests.helpers import (
    Shop,
    assert_error,
    make_category,
    make_product,
    make_settings,
    shop_of,
)

BODY_METHODS = ("POST", "PUT", "PATCH")
TRIED_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
FORM_ENDPOINTS = {"/api/users/password_reset/", "/api/users/password_reset/confirm/{token}/",
                  "/api/users/password_reset/confirm/"}
FORM = "application/x-www-form-urlencoded"
OTHER_MEDIA_TYPES = ("text/plain", "application/xml", FORM)
MALFORMED = ('{"name": "x"', "{'name': 'x'}", '{"name": "x",}', "{},", "name=x", "\xff",
             '{"name": ' + "9" * 5000 + "}", "[" * 100_000)
NOT_OBJECTS = ("[1, 2]", "null", '"x"', "1")
PLACEHOLDER = re.compile(r"{(\w+)}")


@dataclass(frozen=True)
class Route:
    """One /api/ rule: its path with `{name}` placeholders and the methods it answers."""

    path: str
    methods: frozenset[str]
    accepts_form: bool

    def __str__(self) -> str:
        return self.path

    def url(self, values: dict[str, Any]) -> str:
        def fill(match: re.Match[str]) -> str:
            name = match.group(1)
            assert name in values, f"give <{name}> a value in the `world` fixture"
            return str(values[name])

        return PLACEHOLDER.sub(fill, self.path)


def api_routes() -> list[Route]:
    """Every /api/ rule of a freshly built app."""
    app = create_app(make_settings())
    try:
        return sorted((
            Route(path=re.sub(r"<(?:[^>:]*:)?(\w+)>", r"{\1}", rule.rule),
                  methods=frozenset(rule.methods or ()),
                  accepts_form=getattr(getattr(app.view_functions[rule.endpoint], "view_class",
                                               None), "accepts_form", False))
            for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")),
            key=lambda route: route.path)
    finally:
        shop_of(app).close()


ROUTES = api_routes()
WRONG_METHODS = [(route, method) for route in ROUTES for method in TRIED_METHODS
                 if method not in route.methods]
BODIES = [(route, method) for route in ROUTES for method in BODY_METHODS
          if method in route.methods]


@dataclass
class World:
    """A shop where every path parameter names something real, so a good body would write."""

    shop: Shop
    staff: dict[str, str]
    values: dict[str, Any]
    database_url: str

    def send(self, route: Route, method: str, **kwargs: Any) -> Any:
        return self.shop.client.open(route.url(self.values), method=method,
                                     headers=self.staff, **kwargs)

    def snapshot(self) -> tuple[Any, ...]:
        """Every stored row and every mail sent."""
        engine = create_engine(self.database_url)
        with engine.connect() as connection:
            rows = tuple(tuple(connection.execute(select(table)).all())
                         for table in metadata.sorted_tables)
        engine.dispose()
        return rows, len(self.shop.mail)


@pytest.fixture
def world(shop: Shop, database_url: str) -> World:
    client, staff = shop.client, shop.staff()
    category = make_category(client, staff, "Books")
    product = make_product(client, staff, category["id"], stock=5)
    add = {"product_id": product["id"], "quantity": 1}
    assert client.post("/api/cart/add/", json=add, headers=staff).status_code == 200
    order = client.post("/api/orders/create/", headers=staff).get_json()
    assert client.post("/api/cart/add/", json=add, headers=staff).status_code == 200
    assert client.post("/api/users/password_reset/",
                       json={"email": "admin@example.com"}).status_code == 202
    link = re.search(r"https?://\S+", shop.mail[-1].body)
    assert link is not None
    token = urlsplit(link.group(0)).path.rstrip("/").rsplit("/", 1)[-1]
    return World(shop, staff, {"category_id": category["id"], "product_id": product["id"],
                               "order_id": order["id"], "token": token,
                               "filename": "swagger-ui.css"}, database_url)


def message_alone(response: Any, code: int) -> None:
    body = assert_error(response, code)
    assert set(body) == {"code", "status", "message"}, body


def test_the_form_endpoints_listed_here_are_those_the_app_takes_forms_on() -> None:
    assert {route.path for route in ROUTES if route.accepts_form} == FORM_ENDPOINTS


@pytest.mark.parametrize(("route", "method"), WRONG_METHODS, ids=str)
def test_a_wrong_method_is_405_with_allow_before_auth_and_media_type(
    client: Any, route: Route, method: str
) -> None:
    url = route.url({name: 1 for name in PLACEHOLDER.findall(route.path)})

    response = client.open(url, method=method, data="x=1", content_type="text/plain")

    message_alone(response, 405)
    assert {m.strip() for m in response.headers["Allow"].split(",")} == route.methods


@pytest.mark.parametrize(("route", "method"), BODIES, ids=str)
def test_a_body_over_the_limit_is_413_and_changes_nothing(
    world: World, route: Route, method: str
) -> None:
    limit = world.shop.app.config["MAX_CONTENT_LENGTH"]
    before = world.snapshot()

    message_alone(world.send(route, method, json={"padding": "x" * limit}), 413)
    if route.path in FORM_ENDPOINTS:
        message_alone(world.send(route, method, data={"padding": "x" * limit}), 413)
    assert world.snapshot() == before


@pytest.mark.parametrize(("route", "method"), BODIES, ids=str)
def test_another_media_type_is_415_and_changes_nothing(
    world: World, route: Route, method: str
) -> None:
    refused = [t for t in OTHER_MEDIA_TYPES if not (route.path in FORM_ENDPOINTS and t == FORM)]
    before = world.snapshot()

    for media_type in refused:
        response = world.send(route, method, data="name=x", content_type=media_type)
        assert response.status_code == 415, media_type
        message_alone(response, 415)
    assert world.snapshot() == before


@pytest.mark.parametrize(("route", "method"), BODIES, ids=str)
def test_malformed_or_non_object_json_is_400_and_changes_nothing(
    world: World, route: Route, method: str
) -> None:
    before = world.snapshot()

    for raw in MALFORMED + NOT_OBJECTS:
        response = world.send(route, method, data=raw.encode("latin-1"),
                              content_type="application/json")
        assert response.status_code == 400, raw[:40]
        message_alone(response, 400)
    assert world.snapshot() == before


def test_the_snapshot_sees_a_good_body_write_so_the_checks_above_are_not_vacuous(
    world: World,
) -> None:
    route = next(r for r in ROUTES if r.path == "/api/categories/{category_id}/")
    before = world.snapshot()

    response = world.send(route, "PATCH", data=json.dumps({"description": "Paper"}),
                          content_type="application/json")

    assert response.status_code == 200, response.get_json()
    assert world.snapshot() != before
