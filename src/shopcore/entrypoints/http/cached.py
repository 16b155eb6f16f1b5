"""Catalog GETs answered from the catalog cache: the final bytes, an ETag, 304 when unchanged."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from flask import Response, current_app, request

from shopcore.entrypoints.http.catalog_keys import catalog_key, etag_of, pack
from shopcore.entrypoints.http.context import shop

F = TypeVar("F", bound=Callable[..., Any])
JSON = "application/json"


def _answer(packed: bytes) -> Response:
    tag, body = etag_of(packed)
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(body, status=200, mimetype=JSON)
    response.set_etag(tag)
    return response


def cached_read(params: Iterable[str] = ()) -> Callable[[F], F]:
    """Serve the view's 200 answers from the catalog cache, keyed by the URL as asked.

    `FastPath` serves the hits before Flask does; this stores them, and serves the hits
    that come through Flask all the same (a HEAD request, say).

    Outermost, so a hit skips argument parsing and serialization: only answers that
    parsed and succeeded are ever stored. A query naming anything but `params`, or one
    twice, goes to the view uncached, so made-up queries cannot fill the cache.
    """
    allowed = frozenset(params)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not _cacheable(request.args, allowed):
                return view(*args, **kwargs)
            produced: list[Any] = []

            def build() -> bytes | None:
                response = view(*args, **kwargs)
                produced.append(response)
                if not isinstance(response, Response) or response.status_code != 200:
                    return None
                return pack(response.get_data())

            key = catalog_key(request.environ, current_app.config["TRUSTED_HOSTS"])
            packed = shop().read_catalog(key, build)
            if packed is None:
                return produced[0]
            return _answer(packed)

        return wrapper  # type: ignore[return-value]

    return decorate


def _cacheable(query: Any, allowed: frozenset[str]) -> bool:
    return all(name in allowed and len(values) == 1 for name, values in query.lists())
