"""Request bodies the fast path takes on itself: plainly valid, or left whole for Flask.

Each reader answers the arguments when the body is, beyond doubt, one the view's schema
takes as it is (application/json, small, exactly the fields, JSON integers in range), and
None otherwise. What it read is put back in `wsgi.input`, for Flask to read and judge.
"""

from __future__ import annotations

import io
from typing import Any

import orjson

from shopcore.domain.cart import MAX_LINE_QUANTITY
from shopcore.entrypoints.http.schemas.catalog import MAX_ID

JSON = "application/json"
MAX_METHOD_ID = 255


def json_body(environ: dict[str, Any], max_body: int) -> Any:
    """The JSON body when it is at most `max_body` bytes sent as application/json, else None."""
    if environ.get("CONTENT_TYPE") != JSON or "HTTP_TRANSFER_ENCODING" in environ:
        return None
    length = environ.get("CONTENT_LENGTH") or ""
    if not length.isdigit() or not 0 < int(length) <= max_body:
        return None
    raw = environ["wsgi.input"].read(int(length))
    environ["wsgi.input"] = io.BytesIO(raw)
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def in_range(value: Any, most: int) -> bool:
    """A JSON integer (not a boolean, not 1.0) from 1 to `most`, as StrictInteger takes it."""
    return type(value) is int and 0 < value <= most


def cart_add(environ: dict[str, Any], max_body: int) -> tuple[int, int] | None:
    """(product_id, quantity) of `{"product_id": n, "quantity": m}`."""
    data = json_body(environ, max_body)
    if type(data) is not dict or data.keys() != {"product_id", "quantity"}:
        return None
    product_id, quantity = data["product_id"], data["quantity"]
    if not (in_range(product_id, MAX_ID) and in_range(quantity, MAX_LINE_QUANTITY)):
        return None
    return product_id, quantity


def no_body(environ: dict[str, Any], max_body: int) -> bool:
    """No body, or `{}`."""
    return (environ.get("CONTENT_LENGTH") or "0") == "0" or json_body(environ, max_body) == {}


def payment(environ: dict[str, Any], max_body: int) -> tuple[int, str] | None:
    """(order_id, payment_method_id) of `{"order_id": n, "payment_method_id": "..."}`."""
    data = json_body(environ, max_body)
    if type(data) is not dict or data.keys() != {"order_id", "payment_method_id"}:
        return None
    order_id, method = data["order_id"], data["payment_method_id"]
    if not in_range(order_id, MAX_ID) or type(method) is not str or not (
            0 < len(method) <= MAX_METHOD_ID):
        return None
    return order_id, method
