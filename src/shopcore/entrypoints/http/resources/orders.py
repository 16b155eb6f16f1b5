"""Orders: checkout, history, tracking, cancel, staff status changes (stub, being written)."""

from __future__ import annotations

from shopcore.entrypoints.http.blueprint import blueprint

blp = blueprint("orders", __name__, url_prefix="/api/orders", description="Orders")
