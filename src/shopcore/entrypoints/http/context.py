"""Where a request finds its application's shop: the typed use cases."""

from __future__ import annotations

from flask import current_app

from shopcore.library import App

EXTENSION = "shopcore"


def shop() -> App:
    """The App that create_app() built (or was given) for this Flask app."""
    found: App = current_app.extensions[EXTENSION]
    return found
