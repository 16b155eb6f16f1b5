"""Cache hits answered before Flask: product and category reads, searches, the caller's cart.

A cached catalog answer or cart is already the final JSON, yet Flask spends several times
the cache's own cost around it (request and app contexts, URL matching, before and after
handlers, the response object). `FastPath` sits between the WSGI server and Flask and
answers a GET itself when the cache holds the answer, with what Flask would have sent: the
same body, ETag and 304, X-Request-ID, nosniff (and HSTS over TLS), the request's metric and
access-log line. Anything else, and anything it is unsure of (a miss, a bad or missing
token, an untrusted host, an error), goes to Flask untouched, which answers as it always did.

Only answers Flask produced and stored are served: a catalog key is the request's URL as
Flask's `request.url` spells it (`catalog_key`, shared with `cached_read`), so a URL the view
never answered 200 has nothing to be found under.
"""

from __future__ import annotations

import functools
import logging
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import SecurityError
from werkzeug.http import parse_etags
from werkzeug.wrappers import Request

from shopcore.domain.errors import AuthenticationFailed
from shopcore.entrypoints.http import observability
from shopcore.library import App
from shopcore.ports.events import correlation_id

log = logging.getLogger(__name__)

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

JSON = "application/json"
CART = "/api/cart/"
# The cached catalog reads (`cached_read` views), as Flask's routes name them in metrics.
_CATALOG = re.compile(r"^/api/(?:(products|categories)/(?:(\d+)/)?|products/(search)/)$")
_TEMPLATES = {("products", False): "/api/products/",
              ("products", True): "/api/products/<product_id>/",
              ("categories", False): "/api/categories/",
              ("categories", True): "/api/categories/<category_id>/",
              ("search", False): "/api/products/search/"}
URLS_KEPT = 4096


@functools.lru_cache(maxsize=URLS_KEPT)
def _url(scheme: str, host: str | None, server_name: str | None, server_port: str | None,
         script_name: str, path_info: str, query: str,
         trusted_hosts: tuple[str, ...] | None) -> str:
    environ = {"wsgi.url_scheme": scheme, "SCRIPT_NAME": script_name, "PATH_INFO": path_info,
               "QUERY_STRING": query, "REQUEST_METHOD": "GET"}
    for name, value in (("HTTP_HOST", host), ("SERVER_NAME", server_name),
                        ("SERVER_PORT", server_port)):
        if value is not None:
            environ[name] = value
    request = Request(environ)
    if trusted_hosts is not None:
        request.trusted_hosts = list(trusted_hosts)
    return request.url  # raises SecurityError for an untrusted host (never kept)


def catalog_key(environ: dict[str, Any], trusted_hosts: Iterable[str] | None) -> str:
    """`request.url` of the request in `environ`, as Flask builds it, from a bounded memo.

    Building it costs ~100 us (host checks, IRI quoting); the memo's key is every part of
    the environment it depends on. SecurityError when the host is not trusted.
    """
    get = environ.get
    return _url(get("wsgi.url_scheme", "http"), get("HTTP_HOST"), get("SERVER_NAME"),
                get("SERVER_PORT"), get("SCRIPT_NAME", ""), get("PATH_INFO", ""),
                get("QUERY_STRING", ""), None if trusted_hosts is None else tuple(trusted_hosts))


def etag_of(packed: bytes) -> tuple[str, bytes]:
    """The ETag and body of a catalog entry as `cached_read` stores it."""
    etag, _, body = packed.partition(b"\n")
    return etag.decode(), body


class FastPath:
    """The WSGI app to serve: cache hits of GET reads here, everything else to `flask`."""

    def __init__(self, flask: WSGIApp, shop: App, trusted_hosts: Iterable[str] | None) -> None:
        self.flask, self.shop = flask, shop
        self.trusted_hosts = None if trusted_hosts is None else tuple(trusted_hosts)
        self.metrics, self.access_log = shop.settings.metrics, shop.settings.access_log

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "GET":
            return self.flask(environ, start_response)
        started = time.perf_counter()
        rid = observability.request_id(environ.get("HTTP_X_REQUEST_ID"))
        token = correlation_id.set(rid)  # on every log line, as in Flask
        try:
            try:
                answer = self._answer(environ)
            except Exception:  # Flask answers it, and says what went wrong
                log.debug("fast path: handing the request to Flask", exc_info=True)
                answer = None
            if answer is not None:
                return self._send(environ, start_response, started, rid, *answer)
        finally:
            correlation_id.reset(token)
        return self.flask(environ, start_response)

    def _answer(self, environ: dict[str, Any]) -> tuple[str, str, bytes, str | None] | None:
        """(route, status, body, etag) of a cache hit; None for Flask to answer."""
        path = environ.get("PATH_INFO", "")
        matched = None if path == CART else _CATALOG.match(path)
        if matched is None and path != CART:
            return None
        try:  # Flask answers 400 to a host it does not trust
            key = catalog_key(environ, self.trusted_hosts)
        except SecurityError:
            return None
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

    def _cart(self, environ: dict[str, Any]) -> bytes | None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        scheme, _, token = header.partition(" ")
        token = token.strip()
        if scheme.lower() != "bearer" or not token:
            return None
        try:
            viewer = self.shop.authenticate(access_token=token)
        except AuthenticationFailed:
            return None
        body: bytes | None = self.shop.get_cart.cache.get(viewer.user_id).body
        return body

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
            observability.record(route, "GET", environ.get("PATH_INFO", ""),
                                 int(status[:3]), time.perf_counter() - started,
                                 metrics=self.metrics, log_requests=self.access_log)
        return [body]
