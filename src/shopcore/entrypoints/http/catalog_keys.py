"""What the catalog cache files a read under (its URL) and keeps (an ETag, then the body)."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Request

URLS_KEPT = 4096


def pack(body: bytes) -> bytes:
    """The entry for an answer: its ETag (a digest of the body), a newline, the body."""
    etag = hashlib.blake2b(body, digest_size=16).hexdigest().encode()
    return etag + b"\n" + body


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
