"""The hottest requests answered before Flask: cached catalog reads and carts, the purchase.

A cached catalog answer or cart is already the final JSON, yet Flask spends several times
the cache's own cost around it (request and app contexts, URL matching, before and after
handlers, argument parsing, the response object). `FastPath` sits between the WSGI server
and Flask and answers itself:

- a GET the cache holds the answer to (catalog reads, the caller's cart from Redis);
- `POST /api/cart/add/`, `/api/orders/create/` and `/api/payments/process/` without an
  Idempotency-Key whose body is plainly valid (`plain_bodies`): it runs the view's use case.

It answers with what Flask would have sent: the same body, ETag and 304, X-Request-ID (on
log lines and events too), nosniff (and HSTS over TLS), the request's metric and access-log
line. Anything it is unsure of (a miss, a body not plainly valid, a missing token, an
untrusted host) goes to Flask untouched (a body it read is put back). What the use case
raised (unknown product, empty cart, declined card, a bad token, the database down) is
handed to Flask, not the request: Flask raises it in the view's place and answers it in the
contract's shape (the views answer domain errors with the same body), so nothing runs twice.

Only answers Flask produced and stored are served: a catalog key is the request's URL as
Flask's `request.url` spells it (`catalog_key`, shared with `cached_read`).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import SecurityError
from werkzeug.http import HTTP_STATUS_CODES, parse_etags

from shopcore.application.viewer import Viewer
from shopcore.domain.errors import AuthenticationFailed
from shopcore.domain.order import Order
from shopcore.domain.payment import Payment
from shopcore.entrypoints.http import observability
from shopcore.entrypoints.http import plain_bodies as plain
from shopcore.entrypoints.http.catalog_keys import catalog_key, etag_of
from shopcore.entrypoints.http.schemas.cart import cart_body
from shopcore.library import App
from shopcore.ports.events import correlation_id

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

JSON = "application/json"
CART = "/api/cart/"
CART_ADD = "/api/cart/add/"
CHECKOUT = "/api/orders/create/"
PAY = "/api/payments/process/"
BODY_MAX = 1024  # far more than the longest plainly valid body of those
# The error a use case raised on the fast path, for Flask to raise in the view's place.
RAISED = "shopcore.fast_path.raised"
# The cached catalog reads (`cached_read` views), as Flask's routes name them in metrics.
_CATALOG = re.compile(r"^/api/(?:(products|categories)/(?:(\d+)/)?|products/(search)/)$")
_TEMPLATES = {("products", False): "/api/products/",
              ("products", True): "/api/products/<product_id>/",
              ("categories", False): "/api/categories/",
              ("categories", True): "/api/categories/<category_id>/",
              ("search", False): "/api/products/search/"}
Answer = tuple[str, str, bytes, "str | None"]  # route, status line, body, ETag


def _status_line(status: int) -> str:
    return f"{status} {HTTP_STATUS_CODES[status].upper()}"


class _Raised(Exception):
    """The use case raised `error`: Flask is to answer it (see `raise_fast_path_error`)."""

    def __init__(self, error: Exception) -> None:
        super().__init__(error)
        self.error = error


def raise_fast_path_error(environ: dict[str, Any]) -> None:
    """In Flask, before the view: raise what the use case raised on the fast path, if it did."""
    raised = environ.pop(RAISED, None)
    if raised is not None:
        raise raised


class FastPath:
    """The WSGI app to serve: cache hits of GET reads here, everything else to `flask`."""

    def __init__(self, flask: WSGIApp, shop: App, trusted_hosts: Iterable[str] | None,
                 encode: Callable[[Any], bytes]) -> None:
        self.flask, self.shop, self.encode = flask, shop, encode
        self.trusted_hosts = None if trusted_hosts is None else tuple(trusted_hosts)
        self.metrics, self.access_log = shop.settings.metrics, shop.settings.access_log
        self.max_body = min(BODY_MAX, shop.settings.max_body_bytes)
        from shopcore.entrypoints.http.resources import orders, payments
        from shopcore.entrypoints.http.schemas.orders import OrderSchema
        from shopcore.entrypoints.http.schemas.payments import PaymentSchema

        order_schema, payment_schema = OrderSchema(), PaymentSchema()

        def order_answer(order: Order, viewer: Viewer) -> Any:
            return order_schema.dump(orders.order_view(order, viewer))

        def payment_answer(payment: Payment) -> Any:
            return payment_schema.dump(payments.payment_view(payment))

        self.order_answer, self.payment_answer = order_answer, payment_answer
        self.posts = {CART_ADD: self._add, CHECKOUT: self._checkout, PAY: self._pay}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD")
        handler: Callable[[dict[str, Any]], Answer | None] | None
        if method == "GET":
            handler = self._answer
        elif method == "POST" and "HTTP_IDEMPOTENCY_KEY" not in environ:
            handler = self.posts.get(environ.get("PATH_INFO", ""))
        else:
            handler = None
        if handler is None or not self._trusted(environ):
            return self.flask(environ, start_response)
        started = time.perf_counter()
        rid = observability.request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = correlation_id.set(rid)  # on every log line and event, as in Flask
        try:
            try:
                answer = handler(environ)
            except _Raised as raised:
                environ[RAISED], answer = raised.error, None
            except Exception:  # Flask answers it, and says what went wrong
                log.debug("fast path: handing the request to Flask", exc_info=True)
                answer = None
            if answer is not None:
                return self._send(environ, start_response, started, rid, *answer)
        finally:
            correlation_id.reset(token)
        environ["HTTP_X_REQUEST_ID"] = rid  # the id the log lines of the attempt carry
        return self.flask(environ, start_response)

    def _answer(self, environ: dict[str, Any]) -> Answer | None:
        """(route, status, body, etag) of a cache hit; None for Flask to answer."""
        path = environ.get("PATH_INFO", "")
        matched = None if path == CART else _CATALOG.match(path)
        if matched is None and path != CART:
            return None
        key = catalog_key(environ, self.trusted_hosts)
        if matched is None:
            body = self._cart(environ)
            return None if body is None else (CART, "200 OK", body + b"\n", None)
        kind, item, search = matched.groups()
        route = _TEMPLATES[(search or kind, item is not None)]
        packed = self.shop.read_catalog.cache.get(key).value
        if packed is None:
            return None
        etag, body = etag_of(packed)
        asked = environ.get("HTTP_IF_NONE_MATCH")
        if asked and parse_etags(asked).contains_weak(etag):
            return route, "304 NOT MODIFIED", b"", etag
        return route, "200 OK", body, etag

    def _trusted(self, environ: dict[str, Any]) -> bool:
        """Whether the host is one the app trusts (Flask answers 400 to any other)."""
        if self.trusted_hosts is None:
            return True
        try:
            catalog_key(environ, self.trusted_hosts)  # checks the host, from a memo
        except SecurityError:
            return False
        return True

    def _viewer(self, environ: dict[str, Any]) -> Viewer | None:
        """The caller; None without a bearer token (Flask says why it wants one)."""
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        return self.shop.authenticate(access_token=token)

    def _cart(self, environ: dict[str, Any]) -> bytes | None:
        try:
            viewer = self._viewer(environ)
        except AuthenticationFailed:
            return None
        if viewer is None:
            return None
        body: bytes | None = self.shop.get_cart.cache.get(viewer.user_id).body
        return body

    def _run(self, environ: dict[str, Any], route: str,
             run: Callable[[Viewer], tuple[int, Any]]) -> Answer | None:
        """`run` for the caller, its (status, body) answered; what it raises, Flask answers."""
        try:
            viewer = self._viewer(environ)
            if viewer is None:
                return None
            status, body = run(viewer)
        except Exception as error:
            raise _Raised(error) from error
        return route, _status_line(status), self.encode(body) + b"\n", None

    def _add(self, environ: dict[str, Any]) -> Answer | None:
        """A cart add with a plainly valid body, through the use case the view runs."""
        found = plain.cart_add(environ, self.max_body)
        if found is None:
            return None
        product_id, quantity = found
        return self._run(environ, CART_ADD, lambda viewer: (200, cart_body(
            self.shop.add_to_cart(user_id=viewer.user_id, product_id=product_id,
                                  quantity=quantity))))

    def _checkout(self, environ: dict[str, Any]) -> Answer | None:
        """A checkout with no body (or `{}`), answered as the view answers it."""
        if not plain.no_body(environ, self.max_body):
            return None
        return self._run(environ, CHECKOUT, lambda viewer: (201, self.order_answer(
            self.shop.place_order(user_id=viewer.user_id), viewer)))

    def _pay(self, environ: dict[str, Any]) -> Answer | None:
        """A payment of an order with a payment method, answered as the view answers it."""
        found = plain.payment(environ, self.max_body)
        if found is None:
            return None
        order_id, method = found
        return self._run(environ, PAY, lambda viewer: (201, self.payment_answer(
            self.shop.process_payment(user_id=viewer.user_id, order_id=order_id,
                                      payment_method_id=method))))

    def _send(self, environ: dict[str, Any], start_response: StartResponse, started: float,
              rid: str, route: str, status: str, body: bytes, etag: str | None) -> Iterable[bytes]:
        headers: list[tuple[str, str]] = []
        if body:
            headers += [("Content-Type", JSON), ("Content-Length", str(len(body)))]
        if etag is not None:
            headers.append(("ETag", f'"{etag}"'))
        headers.append(("X-Content-Type-Options", "nosniff"))
        if environ.get("wsgi.url_scheme") in ("https", "wss"):
            headers.append(("Strict-Transport-Security", observability.HSTS))
        headers.append((observability.HEADER, rid))
        start_response(status, headers)
        if self.metrics or self.access_log:
            observability.record(route, environ["REQUEST_METHOD"], environ.get("PATH_INFO", ""),
                                 int(status[:3]), time.perf_counter() - started,
                                 metrics=self.metrics, log_requests=self.access_log)
        return [body]
