"""Catalog: categories and products (stub, being written)."""

from __future__ import annotations

from shopcore.entrypoints.http.blueprint import Blueprint

blp = Blueprint("catalog", __name__, url_prefix="/api", description="Categories and products")
