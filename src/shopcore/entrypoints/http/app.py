"""The Flask app factory."""

from __future__ import annotations

import logging
from inspect import iscoroutinefunction
from typing import Any

from flask import Flask, Response, current_app, request, send_from_directory
from flask.sessions import SessionInterface
from flask_smorest import Api
from swagger_ui_bundle import swagger_ui_path

from shopcore.adapters.security.keys import derive_key
from shopcore.entrypoints.http import observability
from shopcore.entrypoints.http.context import EXTENSION
from shopcore.entrypoints.http.errors import error_response, register_error_handlers
from shopcore.entrypoints.http.fastjson import FastJSONProvider
from shopcore.entrypoints.http.fastpath import FastPath, raise_fast_path_error
from shopcore.entrypoints.http.log_redaction import redact_reset_tokens_in_request_logs
from shopcore.entrypoints.http.schemas.common import ErrorSchema
from shopcore.library import App
from shopcore.settings import Settings

JSON_METHODS = {"POST", "PUT", "PATCH"}
ASYNC_CHECKS_KEPT = 4096
log = logging.getLogger("shopcore.search")


def _security_headers(response: Response) -> Response:
    """nosniff on every answer; HSTS when the request came over TLS (or a trusted proxy's)."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", observability.HSTS)
    return response


class ShopApi(Api):  # type: ignore[misc]
    """flask-smorest's Api: errors in the contract's one shape, each status listed.

    No catch-all `default` response: every status an operation answers is documented.
    """

    ERROR_SCHEMA = ErrorSchema
    DEFAULT_ERROR_RESPONSE_NAME = None


class ShopFlask(Flask):
    """Flask that asks once per function whether it is async, not ~11 times a request."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._is_async: dict[Any, bool] = {}

    def ensure_sync(self, func: Any) -> Any:
        # A class-based view's bound method is new each request: key on its function.
        key = getattr(func, "__func__", func)
        is_async = self._is_async.get(key)
        if is_async is None:
            is_async = iscoroutinefunction(func)
            if len(self._is_async) < ASYNC_CHECKS_KEPT:
                self._is_async[key] = is_async
        return self.async_to_sync(func) if is_async else func


class NoSessions(SessionInterface):
    """No cookie sessions (the API authenticates with bearer tokens): none read per request."""

    def open_session(self, app: Flask, request: Any) -> None:
        return None

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        return None


def _needs_json() -> Any:
    """415 for a body that is not JSON, unless the view also takes HTML forms."""
    if request.method not in JSON_METHODS or request.routing_exception is not None:
        return None
    if not request.content_length and not request.headers.get("Transfer-Encoding"):
        return None
    if request.is_json:
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(getattr(view, "view_class", view), "accepts_form", False) and (
        request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        return None
    return error_response(415)


def create_app(settings: Settings | None = None, *, shop: App | None = None) -> Flask:
    """A new app with its own App (built here, never at import, unless one is given)."""
    from shopcore.entrypoints.http.resources import (
        cart,
        catalog,
        health,
        orders,
        password_reset,  # noqa: F401 - its routes hang on users.blp
        payments,
        search,
        users,
    )

    if shop is None:
        shop = App(settings or Settings.from_env())
    settings = shop.settings
    settings.check_secret_key()
    app = ShopFlask("shopcore", template_folder="templates", static_folder=None)
    app.json = FastJSONProvider(app)
    app.session_interface = NoSessions()
    app.root_path = __file__.rsplit("/", 1)[0]
    app.config.update(
        API_TITLE="shopcore",
        API_VERSION="1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs/",
        OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        MAX_CONTENT_LENGTH=settings.max_body_bytes,
        SECRET_KEY=derive_key(settings.secret_key, "flask sessions"),
        TRUSTED_HOSTS=list(settings.trusted_hosts) or None,
    )
    app.json.sort_keys = False
    redact_reset_tokens_in_request_logs()
    app.extensions[EXTENSION] = shop
    warm_search(shop)
    api = ShopApi(app, spec_kwargs={"info": {"description": "shopcore REST API"}})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    register_error_handlers(app)
    observability.install(app, shop)
    app.before_request(_needs_json)
    app.before_request(lambda: raise_fast_path_error(request.environ))
    app.after_request(_security_headers)
    for module in (users, search, catalog, cart, orders, payments):
        api.register_blueprint(module.blp)
    app.register_blueprint(health.blp)
    app.add_url_rule("/api/docs/assets/<path:filename>", "swagger_assets",
                     _swagger_asset)
    app.wsgi_app = FastPath(  # type: ignore[method-assign]
        app.wsgi_app, shop, app.config["TRUSTED_HOSTS"], app.json.encode)
    if settings.proxies:  # outermost: the fast path sees the client's host and scheme too
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=settings.proxies, x_proto=settings.proxies,
            x_host=settings.proxies)
    return app


def warm_search(shop: App) -> None:
    """Fill an in-memory index from a stored catalog: it starts empty in every process."""
    if shop.product_search.name != "memory" or shop.settings.in_memory:
        return
    try:
        indexed = shop.rebuild_search_index()
    except Exception as exc:  # a database not yet up or migrated must not stop the app
        log.warning("search: could not index the catalog in memory: %s", exc)
        return
    log.info("search: indexed %d product(s) in memory", indexed)


def _swagger_asset(filename: str) -> Any:
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
