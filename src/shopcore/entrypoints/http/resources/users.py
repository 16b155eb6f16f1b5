"""Users: register, tokens, profile, password change and reset (stub, being written)."""

from __future__ import annotations

from shopcore.entrypoints.http.blueprint import Blueprint

blp = Blueprint("users", __name__, url_prefix="/api/users", description="Accounts and sessions")
