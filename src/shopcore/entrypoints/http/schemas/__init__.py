"""Marshmallow schemas of the HTTP contract."""
