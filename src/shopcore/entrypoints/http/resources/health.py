"""Liveness and readiness."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text

from shopcore.entrypoints.http.context import container

blp = Blueprint("health", __name__)


def _database(c: Any) -> str:
    if c.settings().in_memory:
        return "up"
    try:
        with c.gateways.engine().connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception:
        return "down"
    return "up"


def _cache(c: Any) -> str:
    if not c.settings().redis_url:
        return "disabled"
    try:
        return str(c.adapters.cart_cache().check())
    except Exception:
        return "down"


def _events(c: Any) -> str:
    try:
        return str(c.adapters.event_publisher().check())
    except Exception:
        return "down"


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    c = container()
    checks = {"database": _database(c), "cache": _cache(c), "search": "disabled",
              "events": _events(c), "payments": "disabled"}
    if checks["database"] != "up":
        status, code = "down", 503
    elif "down" in checks.values():
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify({"status": status, "checks": checks}), code
