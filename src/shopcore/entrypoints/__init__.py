"""Entrypoints: the Flask app, the CLI and the WSGI module."""
