"""What an HTTP endpoint keeps of its first answer under an Idempotency-Key: status and body."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response

from shopcore.ports.repositories import Replay


def replay_of(status: int, body: Any) -> Replay:
    """The answer as the idempotency store keeps it for every retry."""
    return {"status": status, "body": body}


def response_of(replay: Replay) -> Response:
    """The answer a replay stands for, sent as it was the first time."""
    return make_response(jsonify(replay["body"]), replay["status"])
