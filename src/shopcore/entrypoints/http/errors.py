"""One error shape for every error: {code, status, message, errors?}."""

from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, Response, g, jsonify
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from shopcore.domain.catalog import UnknownCategory
from shopcore.domain.errors import (
    AuthenticationFailed,
    Conflict,
    DomainError,
    InvalidSearchText,
    NotFound,
    PaymentDeclined,
    PaymentProviderError,
    PaymentProviderUnavailable,
    PermissionDenied,
    SearchUnavailable,
    StorageUnavailable,
    Throttled,
    ValidationFailed,
)
from shopcore.domain.pagination import PageNotFound, PageSizeTooSmall

log = logging.getLogger(__name__)

INVALID_PAGE = "Invalid page."
PAGE_SIZE = "page_size"
SMALL_PAGE_SIZE = "Must be at least 1."

DOMAIN_STATUS: dict[type[DomainError], int] = {
    ValidationFailed: 400,
    AuthenticationFailed: 401,
    PermissionDenied: 403,
    NotFound: 404,
    Conflict: 409,
    Throttled: 429,
    PaymentDeclined: 402,
    PaymentProviderError: 502,
    PaymentProviderUnavailable: 503,
    SearchUnavailable: 503,
    StorageUnavailable: 503,
}
DEFAULT_MESSAGES = {
    400: "The request is invalid.",
    401: "Authentication credentials were not provided or are invalid.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
    415: "Unsupported media type: send application/json.",
    422: "The request is invalid.",
    500: "Internal server error.",
}
STORAGE_RETRY_AFTER_S = 1


def error_response(code: int, message: str | None = None,
                   errors: dict[str, list[str]] | None = None,
                   headers: dict[str, str] | None = None) -> Response:
    """The contract's error body with `code` (422 is answered as 400)."""
    code = 400 if code == 422 else code
    body: dict[str, Any] = {"code": code, "status": HTTPStatus(code).phrase,
                            "message": message or DEFAULT_MESSAGES.get(code)
                            or HTTPStatus(code).description}
    if errors:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    if code == 401:
        response.headers.setdefault("WWW-Authenticate", 'Bearer realm="api"')
    return response


def flatten(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs/marshmallow messages, nested by location and field, as field -> [messages]."""
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    if isinstance(messages, str):
        return {prefix or "_schema": [messages]}
    out: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not prefix and key in ("json", "query", "form", "path", "headers", "files",
                                      "json_or_form", "querystring", "view_args"):
                name = ""
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            for field, msgs in flatten(value, name).items():
                out.setdefault(field, []).extend(msgs)
    return out


def _http_exception(exc: HTTPException) -> Response:
    code = exc.code or 500
    data = getattr(exc, "data", None) or {}
    errors = data.get("errors") or data.get("messages")
    flat = flatten(errors) if errors else None
    message = data.get("message")
    if message is None and flat:
        first_field, first = next(iter(flat.items()))
        message = first[0] if first_field == "_schema" else f"{first_field}: {first[0]}"
    elif message is None and code not in DEFAULT_MESSAGES and exc.description:
        message = exc.description
    if flat is not None and set(flat) == {"_schema"}:
        # The body as a whole is wrong (not JSON, not an object): no field is at fault.
        flat = None
    headers = dict(data.get("headers") or {})
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        headers["Allow"] = ", ".join(sorted(exc.valid_methods))
    return error_response(code, message, flat, headers)


def domain_error_answer(exc: DomainError) -> tuple[int, dict[str, Any]]:
    """The status and body the API answers `exc` with (to store, e.g. for idempotent replay)."""
    response = _domain_error(exc)
    return response.status_code, response.get_json()


def _in_drf_words(exc: DomainError) -> tuple[str, dict[str, list[str]]]:
    """The message and field errors as the API has always worded them (DRF's)."""
    if isinstance(exc, PageNotFound):
        return INVALID_PAGE, {}
    if isinstance(exc, PageSizeTooSmall):
        return exc.message, {PAGE_SIZE: [SMALL_PAGE_SIZE]}
    if isinstance(exc, UnknownCategory):
        message = f'Invalid pk "{exc.category_id}" - object does not exist.'
        return message, {exc.field: [message]}
    if isinstance(exc, InvalidSearchText):
        return exc.message, {"q": exc.errors["text"]}  # the query parameter the API names
    if isinstance(exc, PaymentDeclined) and exc.decline_code:
        return exc.message, {"payment_method_id": [f"{exc.message} ({exc.decline_code})"]}
    return exc.message, exc.errors


def _domain_error(exc: DomainError) -> Response:
    code = next((status for kind, status in DOMAIN_STATUS.items() if isinstance(exc, kind)), 400)
    headers = {"Retry-After": str(exc.retry_after)} if isinstance(exc, Throttled) else None
    if isinstance(exc, StorageUnavailable):
        headers = {"Retry-After": str(STORAGE_RETRY_AFTER_S)}
    message, errors = _in_drf_words(exc)
    return error_response(code, message, errors or None, headers)


def _unexpected(exc: Exception) -> Response:
    log.exception("unhandled error: %s", type(exc).__name__)
    response = error_response(500)
    rid = g.get("request_id")
    if rid:
        # The id in the answer is what a user reports; it finds every log line of the request.
        response = jsonify({**response.get_json(), "request_id": rid})
        response.status_code = 500
    return response


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, _http_exception)
    app.register_error_handler(DomainError, _domain_error)
    app.register_error_handler(Exception, _unexpected)
