"""The HTTP adapter: Flask app factory, flask-smorest blueprints, marshmallow schemas."""

from shopcore.entrypoints.http.app import create_app

__all__ = ["create_app"]
