"""What an HTTP endpoint keeps of its first answer under an Idempotency-Key: status and body."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Response, jsonify, make_response

from shopcore.domain.errors import DomainError, StorageUnavailable
from shopcore.entrypoints.http.auth import viewer
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.errors import domain_error_answer
from shopcore.ports.repositories import Replay

T = TypeVar("T")


def replay_of(status: int, body: Any) -> Replay:
    """The answer as the idempotency store keeps it for every retry."""
    return {"status": status, "body": body}


def response_of(replay: Replay) -> Response:
    """The answer a replay stands for, sent as it was the first time."""
    return make_response(jsonify(replay["body"]), replay["status"])


def answered_once(endpoint: str, key: str | None, body: Any, run: Callable[[], T],
                  status: int, dump: Callable[[T], Any]) -> Response:
    """`run` for the caller, answered `status` with `dump` of its result (or the domain
    error's answer); with an Idempotency-Key `key`, a retry gets that first answer again."""

    def answer() -> Replay:
        try:
            result = run()
        except StorageUnavailable:
            raise  # nothing was done: the key is freed for the retry, not kept as the answer
        except DomainError as exc:
            return replay_of(*domain_error_answer(exc))
        return replay_of(status, dump(result))

    replay = answer() if key is None else shop().idempotently(
        user_id=viewer().user_id, endpoint=endpoint, key=key, body=body, action=answer)
    return response_of(replay)
