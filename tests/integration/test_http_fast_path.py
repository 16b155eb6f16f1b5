"""The fast path: cache hits and plain cart adds answered before Flask, as Flask answers them.

Each cached read (and the cart, from Redis) is asked once through Flask to fill the cache,
then through the app as served, whose fast path must answer it without Flask running, with
the status, headers and body Flask itself gives for the same request. Whatever the fast path
is unsure of goes to Flask: a miss, a bad token, an untrusted host, HEAD, a body it does not
find plainly valid; what a cart add's use case refuses, Flask answers in the view's words.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from shopcore.adapters.sqlalchemy.tables import outbox
from shopcore.entrypoints.http import create_app
from shopcore.entrypoints.http.catalog_keys import catalog_key
from shopcore.entrypoints.http.fastpath import FastPath
from shopcore.entrypoints.logs import JsonFormatter, RequestIdFilter
from shopcore.settings import Settings
from tests.helpers import (
    Shop,
    make_category,
    make_product,
    make_settings,
    remove_keys,
    shop_of,
    truncate_postgres,
)

READS = ("/api/products/{product}/", "/api/products/", "/api/products/?page=1",
         "/api/products/?category={category}", "/api/products/search/?q=dune",
         "/api/categories/", "/api/categories/{category}/")


class Served:
    """The app as a WSGI server runs it, its Flask app behind the fast path, and a count of
    the requests Flask itself saw."""

    def __init__(self, app: Any) -> None:
        self.app, self.flask_requests = app, 0
        assert isinstance(app.wsgi_app, FastPath)

        @app.before_request
        def count() -> None:
            self.flask_requests += 1

    def ask(self, path: str, *, via_flask: bool = False, **options: Any) -> tuple[str, Any, bytes]:
        environ = EnvironBuilder(path=path, **options).get_environ()
        target = self.app.wsgi_app.flask if via_flask else self.app.wsgi_app
        body, status, headers = run_wsgi_app(target, environ)
        return status, headers, b"".join(body)


def same_answer(fast: tuple[str, Any, bytes], slow: tuple[str, Any, bytes]) -> None:
    """Equal status, headers (the request id aside, unless it was asked for) and body."""
    def headers(answer: tuple[str, Any, bytes]) -> list[tuple[str, str]]:
        return sorted((name, value) for name, value in answer[1].items()
                      if name != "X-Request-ID")

    assert fast[0] == slow[0]
    assert headers(fast) == headers(slow)
    assert fast[2] == slow[2]
    assert len(fast[1].get("X-Request-ID", "")) == len(slow[1].get("X-Request-ID", ""))


@pytest.fixture(params=["memory-sqlite", "redis-postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "memory-sqlite":
        yield make_settings(request.getfixturevalue("database_url"), payment_provider="memory")
        return
    url: str = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
    redis_url: str = request.getfixturevalue("redis_url")
    remove_keys(redis_url, "catalog:")
    remove_keys(redis_url, "cart:")
    yield make_settings(url, redis_url=redis_url, payment_provider="memory")
    remove_keys(redis_url, "catalog:")
    remove_keys(redis_url, "cart:")


@pytest.fixture
def served(app: Any) -> Served:
    return Served(app)


@pytest.fixture
def catalog(shop: Shop) -> dict[str, Any]:
    staff = shop.staff()
    category = make_category(shop.client, staff, "Books")
    return make_product(shop.client, staff, category["id"], "Dune", "12.50", stock=5)


def urls(product: dict[str, Any]) -> list[str]:
    return [path.format(product=product["id"], category=product["category"]) for path in READS]


def test_every_cached_read_is_answered_before_flask_as_flask_answers_it(
    served: Served, catalog: dict[str, Any]
) -> None:
    for url in urls(catalog):
        served.ask(url)  # fills the cache
        seen = served.flask_requests
        fast = served.ask(url)
        assert served.flask_requests == seen, url
        assert fast[0] == "200 OK", (url, fast)
        same_answer(fast, served.ask(url, via_flask=True))


def test_a_matching_etag_is_304_and_the_request_id_asked_for_is_kept(
    served: Served, catalog: dict[str, Any]
) -> None:
    url = f"/api/products/{catalog['id']}/"
    etag = served.ask(url)[1]["ETag"]
    seen = served.flask_requests
    for asked in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        headers = {"If-None-Match": asked, "X-Request-ID": "fast-1"}
        fast = served.ask(url, headers=headers)
        assert fast[0] == "304 NOT MODIFIED", asked
        assert fast[1]["X-Request-ID"] == "fast-1"
        same_answer(fast, served.ask(url, via_flask=True, headers=headers))
    other = served.ask(url, headers={"If-None-Match": '"other"'})
    assert other[0] == "200 OK"
    assert served.flask_requests == seen + 4  # only the via_flask ones


def test_over_tls_the_fast_answer_carries_hsts_as_flask_does(
    served: Served, catalog: dict[str, Any]
) -> None:
    url, tls = f"/api/products/{catalog['id']}/", "https://shop.example"
    served.ask(url, base_url=tls)
    seen = served.flask_requests
    fast = served.ask(url, base_url=tls)
    assert served.flask_requests == seen
    assert fast[1]["Strict-Transport-Security"].startswith("max-age=")
    same_answer(fast, served.ask(url, via_flask=True, base_url=tls))


def test_a_changed_product_is_never_served_from_before_the_change(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    staff = shop.staff("boss", "boss-pass-1")
    for url in urls(catalog):
        served.ask(url)
    response = shop.client.patch(f"/api/products/{catalog['id']}/", json={"name": "Dune II"},
                                 headers=staff)
    assert response.status_code == 200
    for url in urls(catalog)[:5]:
        body = json.loads(served.ask(url)[2])
        names = [item["name"] for item in body.get("results", [body])]
        assert "Dune II" in names and "Dune" not in names, url


def test_head_misses_and_unknown_queries_go_to_flask(
    served: Served, catalog: dict[str, Any]
) -> None:
    url = f"/api/products/{catalog['id']}/"
    served.ask(url)
    for path, method in ((url, "HEAD"), ("/api/products/99999/", "GET"),
                         ("/api/products/?page=1&page=2", "GET"),
                         ("/api/products/?nonsense=1", "GET")):
        for _ in range(2):
            seen = served.flask_requests
            answer = served.ask(path, method=method)
            assert served.flask_requests == seen + 1, (path, method, answer[0])
    assert served.ask("/api/products/99999/")[0] == "404 NOT FOUND"


def test_an_untrusted_host_is_refused_by_flask_for_cached_reads_and_writes_alike(
    database_url: str,
) -> None:
    app = create_app(make_settings(database_url, trusted_hosts=("shop.example", "localhost")))
    try:
        served = Served(app)
        for _ in range(2):
            served.ask("/api/products/", base_url="http://shop.example")
        seen = served.flask_requests
        assert served.ask("/api/products/", base_url="http://shop.example")[0] == "200 OK"
        assert served.flask_requests == seen
        for host in ("evil.example", "shop.example.evil"):
            answer = served.ask("/api/products/", base_url=f"http://{host}")
            assert answer[0] == "400 BAD REQUEST"

        shop = Shop(app, app.test_client())
        staff = shop.staff()
        product = make_product(shop.client, staff, make_category(shop.client, staff, "B")["id"])
        body = json.dumps({"product_id": product["id"], "quantity": 1}).encode()
        for path, payload in (("/api/cart/add/", body), ("/api/orders/create/", b"{}")):
            answer = served.ask(path, method="POST", data=payload, headers=staff,
                                content_type="application/json", base_url="http://evil.example")
            assert answer[0] == "400 BAD REQUEST", (path, answer)
        assert json.loads(served.ask("/api/cart/", headers=staff)[2])["items"] == []
    finally:
        shop_of(app).close()


def test_the_catalog_key_is_flasks_request_url() -> None:
    app = create_app(make_settings())
    try:
        seen: list[str] = []

        @app.before_request
        def keep() -> None:
            from flask import request
            seen.append(request.url)

        for base, path in (("http://localhost", "/api/products/?q=%C3%A9t%C3%A9&x=a+b"),
                           ("http://h:80", "/api/products/"), ("https://h:443", "/api/products/"),
                           ("http://h:8080", "/a//b"), ("http://h", "/api/caf%C3%A9/"),
                           ("https://xn--caf-dma.example:8443/shop", "/api/products/?page=1")):
            environ = EnvironBuilder(path=path, base_url=base).get_environ()
            run_wsgi_app(app.wsgi_app.flask, environ)
            assert catalog_key(environ, None) == seen[-1], path
    finally:
        shop_of(app).close()


@pytest.mark.redis
@pytest.mark.parametrize("settings", ["redis-postgres"], indirect=True)
def test_the_cached_cart_is_answered_before_flask_and_only_to_its_owner(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    """From Redis, which keeps carts as JSON (the in-process cache keeps views for Flask)."""
    alice = shop.customer("alice")
    bob = shop.customer("bob")
    assert shop.client.post("/api/cart/add/", json={"product_id": catalog["id"], "quantity": 2},
                            headers=alice).status_code == 200
    served.ask("/api/cart/", headers=alice)
    seen = served.flask_requests
    fast = served.ask("/api/cart/", headers=alice)
    assert served.flask_requests == seen
    assert json.loads(fast[2])["items"][0]["quantity"] == 2
    same_answer(fast, served.ask("/api/cart/", via_flask=True, headers=alice))

    bobs = served.ask("/api/cart/", headers=bob)
    assert json.loads(bobs[2])["items"] == []
    for headers in ({}, {"Authorization": "Bearer not-a-token"},
                    {"Authorization": "Basic abc"}, {"Authorization": alice["Authorization"]
                                                     .replace("Bearer", "Token")}):
        seen = served.flask_requests
        assert served.ask("/api/cart/", headers=headers)[0] == "401 UNAUTHORIZED"
        assert served.flask_requests == seen + 1


def test_a_fast_answer_is_counted_and_logged_with_its_route_and_request_id(
    database_url: str,
) -> None:
    from prometheus_client import generate_latest

    from shopcore.adapters.prometheus.metrics import shop_metrics
    from tests.integration.test_observability import sample

    app = create_app(make_settings(database_url, metrics=True, access_log=True))
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    root, level = logging.getLogger(), logging.getLogger().level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        served = Served(app)
        labels = {"route": "/api/products/", "method": "GET", "status": "200"}
        served.ask("/api/products/")
        before = sample(generate_latest(shop_metrics().registry).decode(),
                        "shopcore_http_requests_total", **labels)
        seen = served.flask_requests
        served.ask("/api/products/", headers={"X-Request-ID": "fast-log-1"})
        assert served.flask_requests == seen
        after = sample(generate_latest(shop_metrics().registry).decode(),
                       "shopcore_http_requests_total", **labels)
        assert after - before == 1
        lines = [json.loads(line) for line in stream.getvalue().splitlines()]
        [access] = [e for e in lines if e.get("request_id") == "fast-log-1"]
        assert (access["logger"], access["route"], access["status"]) == (
            "shopcore.access", "/api/products/", 200)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        shop_of(app).close()


# Cart adds


def add(served: Served, headers: dict[str, str], body: bytes, *,
        content_type: str = "application/json", via_flask: bool = False) -> tuple[str, Any, bytes]:
    return served.ask("/api/cart/add/", method="POST", data=body, content_type=content_type,
                      headers=headers, via_flask=via_flask)


def cart_lines(served: Served, headers: dict[str, str]) -> dict[int, int]:
    body = json.loads(served.ask("/api/cart/", via_flask=True, headers=headers)[2])
    return {line["product_id"]: line["quantity"] for line in body["items"]}


def test_a_plain_cart_add_runs_before_flask_and_answers_the_cart_flask_shows(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = shop.customer("alice")
    body = json.dumps({"product_id": catalog["id"], "quantity": 2}).encode()
    seen = served.flask_requests
    for _ in range(2):
        fast = add(served, {**alice, "X-Request-ID": "fast-add-1"}, body)
        assert fast[0] == "200 OK", fast
    assert served.flask_requests == seen
    assert fast[1]["X-Request-ID"] == "fast-add-1"
    same_answer(fast, served.ask("/api/cart/", via_flask=True,
                                 headers={**alice, "X-Request-ID": "fast-add-1"}))
    assert cart_lines(served, alice) == {catalog["id"]: 4}

    with shop_of(shop.app).container.gateways.engine().connect() as connection:
        traced = [r.correlation_id for r in connection.execute(outbox.select())
                  if r.type.startswith("cart.")]
    assert traced == ["fast-add-1", "fast-add-1"]


def test_what_the_use_case_refuses_is_answered_by_flask_as_the_view_answers_it(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = shop.customer("alice")
    expired = {"Authorization": "Bearer " + "x" * 40}
    cases = [(alice, {"product_id": 999_999, "quantity": 1}, "404 NOT FOUND"),
             (alice, {"product_id": catalog["id"], "quantity": 6}, "409 CONFLICT"),
             (expired, {"product_id": catalog["id"], "quantity": 1}, "401 UNAUTHORIZED")]
    for headers, payload, status in cases:
        body = json.dumps(payload).encode()
        seen = served.flask_requests
        fast = add(served, {**headers, "X-Request-ID": "refused-1"}, body)
        assert fast[0] == status, (payload, fast)
        assert served.flask_requests == seen  # Flask answered the error, ran nothing again
        assert fast[1]["X-Request-ID"] == "refused-1"
        same_answer(fast, add(served, {**headers, "X-Request-ID": "refused-1"}, body,
                              via_flask=True))
    assert cart_lines(served, alice) == {}


def test_a_body_that_is_not_plainly_valid_reaches_flask_whole(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = shop.customer("alice")
    product = catalog["id"]
    cases = [(json.dumps({"product_id": str(product), "quantity": 1}), "product_id"),
             (json.dumps({"product_id": product, "quantity": 1, "note": "x"}), "note"),
             (json.dumps({"product_id": product, "quantity": True}), "quantity"),
             (json.dumps({"product_id": product, "quantity": 1.0}), "quantity"),
             (json.dumps({"product_id": product, "quantity": 0}), "quantity"),
             (json.dumps({"product_id": 2**63, "quantity": 1}), "product_id"),
             (json.dumps({"product_id": product}), "quantity")]
    for body, field in cases:
        seen = served.flask_requests
        status, _, answer = add(served, alice, body.encode())
        assert status == "400 BAD REQUEST", body
        assert field in json.loads(answer)["errors"], (body, answer)
        assert served.flask_requests == seen + 1
    assert add(served, alice, b"{not json")[0] == "400 BAD REQUEST"
    assert add(served, alice, b'{"product_id": 1}', content_type="text/plain")[0] == (
        "415 UNSUPPORTED MEDIA TYPE")
    assert add(served, {}, json.dumps({"product_id": product, "quantity": 1}).encode())[0] == (
        "401 UNAUTHORIZED")
    assert cart_lines(served, alice) == {}

    seen = served.flask_requests
    body = json.dumps({"product_id": product, "quantity": 1}).encode()
    status = add(served, alice, body, content_type="application/json; charset=utf-8")[0]
    assert (status, served.flask_requests) == ("200 OK", seen + 1)
    assert cart_lines(served, alice) == {product: 1}


# Checkout and payment


def post(served: Served, path: str, headers: dict[str, str], payload: Any = None, *,
         via_flask: bool = False) -> tuple[str, Any, bytes]:
    options: dict[str, Any] = {} if payload is None else {
        "data": json.dumps(payload).encode(), "content_type": "application/json"}
    return served.ask(path, method="POST", headers=headers, via_flask=via_flask, **options)


def test_a_purchase_runs_before_flask_and_answers_what_flask_shows(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = {**shop.customer("alice"), "X-Request-ID": "buy-1"}
    for checkout_body in (None, {}):
        seen = served.flask_requests
        assert add(served, alice, json.dumps({"product_id": catalog["id"], "quantity": 1})
                   .encode())[0] == "200 OK"
        created = post(served, "/api/orders/create/", alice, checkout_body)
        order = json.loads(created[2])
        paid = post(served, "/api/payments/process/", alice,
                    {"order_id": order["id"], "payment_method_id": "pm_card_visa"})
        assert (created[0], paid[0]) == ("201 CREATED", "201 CREATED"), (created, paid)
        assert served.flask_requests == seen
        assert paid[1]["X-Request-ID"] == "buy-1"

        shown = served.ask(f"/api/orders/{order['id']}/", via_flask=True, headers=alice)
        assert json.loads(shown[2]) == {**order, "status": "paid",
                                        "status_history": json.loads(shown[2])["status_history"],
                                        "allowed_transitions": ["cancelled"]}
        assert json.loads(shown[2])["status_history"][:1] == order["status_history"]
        listed = json.loads(served.ask("/api/payments/", via_flask=True, headers=alice)[2])
        assert json.loads(paid[2]) == next(p for p in listed["results"]
                                           if p["order_id"] == order["id"])


def test_what_checkout_and_payment_refuse_is_answered_as_the_views_answer_it(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = shop.customer("alice")
    empty = post(served, "/api/orders/create/", alice)
    assert empty[0] == "400 BAD REQUEST"
    same_answer(empty, post(served, "/api/orders/create/", alice, via_flask=True))

    add(served, alice, json.dumps({"product_id": catalog["id"], "quantity": 1}).encode())
    order = json.loads(post(served, "/api/orders/create/", alice)[2])
    cases = [({"order_id": order["id"], "payment_method_id": "pm_card_chargeDeclined"},
              "402 PAYMENT REQUIRED"),
             ({"order_id": 999_999, "payment_method_id": "pm_card_visa"}, "404 NOT FOUND")]
    for payload, status in cases:
        seen = served.flask_requests
        fast = post(served, "/api/payments/process/", alice, payload)
        assert (fast[0], served.flask_requests) == (status, seen), payload
        same_answer(fast, post(served, "/api/payments/process/", alice, payload,
                               via_flask=True))
    pay = {"order_id": order["id"], "payment_method_id": "pm_card_visa"}
    assert post(served, "/api/payments/process/", alice, pay)[0] == "201 CREATED"
    again = post(served, "/api/payments/process/", alice, pay)
    assert again[0] == "409 CONFLICT"
    same_answer(again, post(served, "/api/payments/process/", alice, pay, via_flask=True))


def test_idempotency_keys_and_bodies_that_are_not_plain_go_to_flask(
    shop: Shop, served: Served, catalog: dict[str, Any]
) -> None:
    alice = shop.customer("alice")
    add(served, alice, json.dumps({"product_id": catalog["id"], "quantity": 1}).encode())
    for path, payload, field in (
            ("/api/orders/create/", {"note": "x"}, "note"),
            ("/api/payments/process/", {"order_id": "1", "payment_method_id": "pm_card_visa"},
             "order_id"),
            ("/api/payments/process/", {"order_id": 1, "payment_method_id": ""},
             "payment_method_id"),
            ("/api/payments/process/", {"order_id": 1, "payment_method_id": 7},
             "payment_method_id"),
            ("/api/payments/process/", {"order_id": 1}, "payment_method_id")):
        seen = served.flask_requests
        status, _, body = post(served, path, alice, payload)
        assert (status, served.flask_requests) == ("400 BAD REQUEST", seen + 1), payload
        assert field in json.loads(body)["errors"], (payload, body)

    keyed = {**alice, "Idempotency-Key": "k-1"}
    seen = served.flask_requests
    first = post(served, "/api/orders/create/", keyed)
    assert (first[0], served.flask_requests) == ("201 CREATED", seen + 1)
    assert post(served, "/api/orders/create/", keyed)[2] == first[2]  # replayed, by Flask
