"""Request ids, the request's log line, and (with SHOPCORE_METRICS=on) `/metrics`.

Every request gets an id: a well-formed incoming X-Request-ID is kept, else a new one. It
is answered in the X-Request-ID header, stamped on every log line of the request, put in
the body of a 500, and carried as `correlation_id` by the events the request records.
"""

from __future__ import annotations

import logging
import os
import re
import time
from typing import Any

from flask import Flask, Response, g, request

from shopcore.library import App
from shopcore.ports.events import correlation_id

HEADER = "X-Request-ID"
HSTS = "max-age=31536000"
WELL_FORMED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,63}$")
UNMATCHED = "<unmatched>"
CONVERTER = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
access_log = logging.getLogger("shopcore.access")


def request_id(incoming: str | None) -> str:
    """The incoming id when well-formed (1-64 safe characters), else 32 new random hex digits."""
    if incoming and WELL_FORMED.match(incoming):
        return incoming
    return os.urandom(16).hex()


_templates: dict[str, str] = {}


def _route() -> str:
    """The route template without converters (`/api/products/<product_id>/`), never the path."""
    rule = request.url_rule
    if rule is None:
        return UNMATCHED
    template = _templates.get(rule.rule)
    if template is None:
        template = _templates[rule.rule] = CONVERTER.sub(r"<\1>", rule.rule)
    return template


def _start() -> None:
    g.request_started = time.perf_counter()
    g.request_id = request_id(request.headers.get(HEADER))
    g.correlation_token = correlation_id.set(g.request_id)


def _finish(response: Response, *, metrics: bool, log_requests: bool) -> Response:
    rid = g.get("request_id")
    if rid:
        response.headers[HEADER] = rid
    log_requests = log_requests and access_log.isEnabledFor(logging.INFO)
    if not (metrics or log_requests):
        return response
    started = g.get("request_started")
    duration = time.perf_counter() - started if started is not None else 0.0
    record(_route(), request.method, request.path, response.status_code, duration,
           metrics=metrics, log_requests=log_requests)
    return response


def record(route: str, method: str, path: str, status: int, duration: float, *,
           metrics: bool, log_requests: bool) -> None:
    """The request's metrics (SHOPCORE_METRICS=on) and access-log line (SHOPCORE_ACCESS_LOG)."""
    if metrics:
        from shopcore.adapters.prometheus.metrics import shop_metrics

        instruments = shop_metrics()
        instruments.requests.labels(route, method, str(status)).inc()
        instruments.latency.labels(route).observe(duration)
    if log_requests and access_log.isEnabledFor(logging.INFO):
        access_log.info("%s %s %s %.1fms", method, path, status, duration * 1000,
                        extra={"route": route, "method": method, "status": status,
                               "duration": round(duration, 6)})


def _end(_exc: BaseException | None) -> None:
    token = g.pop("correlation_token", None)
    if token is not None:
        correlation_id.reset(token)


def metrics_view(shop: App) -> Any:
    """The Prometheus scrape: this process's (or every worker's) counts and the outbox."""
    from shopcore.adapters.prometheus.metrics import CONTENT_TYPE, OutboxCollector, exposition

    collector = OutboxCollector(lambda: shop.outbox_status())

    def view() -> Response:
        return Response(exposition(collector), mimetype=None, content_type=CONTENT_TYPE)

    return view


def install(app: Flask, shop: App) -> None:
    """Request ids and request lines on `app`; `/metrics` too when the settings ask for it."""
    settings = shop.settings
    metrics = settings.metrics
    app.before_request(_start)
    app.after_request(lambda response: _finish(response, metrics=metrics,
                                               log_requests=settings.access_log))
    app.teardown_request(_end)
    if metrics:
        app.add_url_rule("/metrics", "metrics", metrics_view(shop), methods=["GET"])
