"""Idempotency keys and the replays kept under them, in memory."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime

from shopcore.adapters.memory.store import Tables
from shopcore.ports.repositories import IdempotentRequest, Replay


class MemoryIdempotencyRepository:
    def __init__(self, tables: Tables) -> None:
        self.t = tables

    def claim(self, user_id: int, endpoint: str, key: str, fingerprint: str,
              now: datetime) -> IdempotentRequest | None:
        found = self.t.idempotency.get((user_id, endpoint, key))
        if found:
            return found[0]
        self.t.idempotency[(user_id, endpoint, key)] = (IdempotentRequest(fingerprint), now)
        return None

    def finish(self, user_id: int, endpoint: str, key: str, replay: Replay) -> None:
        request, at = self.t.idempotency[(user_id, endpoint, key)]
        # Kept as the JSON column keeps it, so a retry here sees what it would see on SQL.
        stored = json.loads(json.dumps(replay))
        self.t.idempotency[(user_id, endpoint, key)] = (
            dataclasses.replace(request, replay=stored), at)

    def forget(self, user_id: int, endpoint: str, key: str) -> None:
        self.t.idempotency.pop((user_id, endpoint, key), None)

    def take_over(self, user_id: int, endpoint: str, key: str, stale_before: datetime,
                  now: datetime) -> bool:
        request, at = self.t.idempotency[(user_id, endpoint, key)]
        if request.finished or at >= stale_before:
            return False
        self.t.idempotency[(user_id, endpoint, key)] = (request, now)
        return True

    def purge(self, before: datetime) -> int:
        old = [k for k, (_, at) in self.t.idempotency.items() if at < before]
        for k in old:
            del self.t.idempotency[k]
        return len(old)
