"""Liveness and readiness."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue

from shopcore.entrypoints.http.context import shop

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return jsonify({"status": "ok"})


@blp.get("/readyz")
def readyz() -> ResponseReturnValue:
    readiness = shop().check_readiness()
    code = 503 if readiness.status == "down" else 200
    return jsonify({"status": readiness.status, "checks": readiness.checks}), code
