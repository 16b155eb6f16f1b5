"""Cart: view, add, change, remove, clear (stub, being written)."""

from __future__ import annotations

from shopcore.entrypoints.http.blueprint import blueprint

blp = blueprint("cart", __name__, url_prefix="/api/cart", description="The caller's cart")
