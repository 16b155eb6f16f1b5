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
    """Run `action` once per (user, endpoint, key); replay what it gave, refuse a changed body.

    A key left in flight longer than `lease` (its request died before it could answer or
    free the key, e.g. with the database) is taken over by the next retry: the use cases
    themselves refuse to do twice what was done (an emptied cart, an order no longer pending).
    """

    uow: UnitOfWork
    clock: Clock
    lease: timedelta = timedelta(seconds=60)

    def __call__(self, *, user_id: int, endpoint: str, key: str, body: Any,
                 action: Callable[[], Replay]) -> Replay:
        digest, now = fingerprint(body), self.clock.now()
        with self.uow:
            self.uow.idempotency.purge(now - KEEP)
            found = self.uow.idempotency.claim(user_id, endpoint, key, digest, now)
            if (found is not None and not found.finished and found.fingerprint == digest
                    and self.uow.idempotency.take_over(user_id, endpoint, key,
                                                       now - self.lease, now)):
                found = None
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
