"""Idempotency keys: the same request with the same key gets the first answer again."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from shopcore.domain.errors import Conflict
from shopcore.ports.clock import Clock
from shopcore.ports.repositories import Replay
from shopcore.ports.unit_of_work import UnitOfWork

KEEP = timedelta(hours=24)


def fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Idempotently:
    """Run `action` once per (user, endpoint, key); replay what it gave, refuse a changed body."""

    uow: UnitOfWork
    clock: Clock

    def __call__(self, *, user_id: int, endpoint: str, key: str, body: Any,
                 action: Callable[[], Replay]) -> Replay:
        digest = fingerprint(body)
        with self.uow:
            self.uow.idempotency.purge(self.clock.now() - KEEP)
            found = self.uow.idempotency.claim(user_id, endpoint, key, digest, self.clock.now())
            self.uow.commit()
        if found is not None:
            if found.fingerprint != digest:
                raise Conflict("This Idempotency-Key was used with another request body.")
            if found.replay is None:
                raise Conflict("A request with this Idempotency-Key is still being processed.")
            return found.replay
        try:
            replay = action()
        except BaseException:
            with self.uow:
                self.uow.idempotency.forget(user_id, endpoint, key)
                self.uow.commit()
            raise
        with self.uow:
            self.uow.idempotency.finish(user_id, endpoint, key, replay)
            self.uow.commit()
        return replay
