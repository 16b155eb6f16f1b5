"""Where a request finds its application's container and use cases."""

from __future__ import annotations

from typing import Any

from flask import current_app

EXTENSION = "shopcore"


def container() -> Any:
    """The composition root built by create_app() for this app."""
    return current_app.extensions[EXTENSION]


def use_case(name: str) -> Any:
    """A fresh instance of the use case `name` (and so a fresh unit of work)."""
    return getattr(container().use_cases, name)()
