"""Idempotency keys and the replays kept under them on SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from shopcore.adapters.sqlalchemy.base import Repository
from shopcore.adapters.sqlalchemy.tables import idempotency_keys
from shopcore.ports.repositories import IdempotentRequest, Replay


class SqlIdempotencyRepository(Repository):
    def _where(self, user_id: int, endpoint: str, key: str) -> Any:
        return ((idempotency_keys.c.user_id == user_id)
                & (idempotency_keys.c.endpoint == endpoint) & (idempotency_keys.c.key == key))

    def claim(self, user_id: int, endpoint: str, key: str, fingerprint: str,
              now: datetime) -> IdempotentRequest | None:
        try:
            with self.c.begin_nested():
                self.c.execute(insert(idempotency_keys).values(
                    user_id=user_id, endpoint=endpoint, key=key, fingerprint=fingerprint,
                    created_at=now))
            return None
        except IntegrityError:
            row = self.c.execute(select(idempotency_keys)
                                 .where(self._where(user_id, endpoint, key))).one()
            return IdempotentRequest(row.fingerprint, row.replay)

    def finish(self, user_id: int, endpoint: str, key: str, replay: Replay) -> None:
        self.c.execute(update(idempotency_keys).where(self._where(user_id, endpoint, key))
                       .values(replay=replay))

    def forget(self, user_id: int, endpoint: str, key: str) -> None:
        self.c.execute(delete(idempotency_keys).where(self._where(user_id, endpoint, key)))

    def take_over(self, user_id: int, endpoint: str, key: str, stale_before: datetime,
                  now: datetime) -> bool:
        result = self.c.execute(
            update(idempotency_keys)
            .where(self._where(user_id, endpoint, key), idempotency_keys.c.replay.is_(None),
                   idempotency_keys.c.created_at < stale_before)
            .values(created_at=now))
        return result.rowcount == 1

    def purge(self, before: datetime) -> int:
        result = self.c.execute(delete(idempotency_keys)
                                .where(idempotency_keys.c.created_at < before))
        return int(result.rowcount or 0)
