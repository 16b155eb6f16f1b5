"""The DRF-style page envelope: {count, next, previous, results}."""

from __future__ import annotations

from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import request

from shopcore.domain.errors import NotFound, ValidationFailed
from shopcore.domain.pagination import DEFAULT_PAGE_SIZE, Page, PageRequest
from shopcore.entrypoints.http.errors import INVALID_PAGE, PAGE_SIZE, SMALL_PAGE_SIZE

T = TypeVar("T")


def page_request() -> PageRequest:
    """`?page=` (bad or below 1: 404, as DRF) and `?page_size=` (bad: 400, above 100: 100)."""
    raw_page = request.args.get("page", "1")
    raw_size = request.args.get(PAGE_SIZE, str(DEFAULT_PAGE_SIZE))
    try:
        number = int(raw_page)
    except ValueError:
        raise NotFound(INVALID_PAGE) from None
    try:
        size = int(raw_size)
    except ValueError:
        raise ValidationFailed("Invalid page size.",
                               {PAGE_SIZE: ["A valid integer is required."]}) from None
    if size < 1:
        raise ValidationFailed("Page size must be positive.", {PAGE_SIZE: [SMALL_PAGE_SIZE]})
    return PageRequest(number=number, size=size)


def _url_for_page(number: int) -> str:
    args = request.args.to_dict(flat=False)
    if number == 1:
        args.pop("page", None)
    else:
        args["page"] = [str(number)]
    query = urlencode([(k, v) for k, values in args.items() for v in values])
    return request.base_url + (f"?{query}" if query else "")


def envelope(page: Page[T], **extra: Any) -> dict[str, Any]:
    """The page as {count, next, previous, results} (results dumped by the response schema)."""
    return {
        "count": page.total,
        "next": _url_for_page(page.number + 1) if page.has_next else None,
        "previous": _url_for_page(page.number - 1) if page.has_previous else None,
        "results": list(page.items),
        **extra,
    }
