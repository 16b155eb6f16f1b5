"""Idempotency keys and the replays kept under them on SQLAlchemy."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from shopcore.adapters.sqlalchemy.base import Repository
from shopcore.adapters.sqlalchemy.prepared import Prepared
from shopcore.adapters.sqlalchemy.tables import idempotency_keys
from shopcore.ports.repositories import IdempotentRequest, Replay

_KEY = ((idempotency_keys.c.user_id == bindparam("user_id"))
        & (idempotency_keys.c.endpoint == bindparam("endpoint"))
        & (idempotency_keys.c.key == bindparam("key")))


def _claim(dialect: str) -> Any:
    """The key's row if it is free; nothing (and no error to roll back) if it is taken."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(idempotency_keys).values(
        {name: bindparam(name) for name in ("user_id", "endpoint", "key", "fingerprint",
                                            "created_at")}).on_conflict_do_nothing()


_CLAIM = Prepared(_claim)
_CLAIM_TRIES = 3
_FOUND = Prepared(lambda _: select(idempotency_keys.c.fingerprint, idempotency_keys.c.replay)
                  .where(_KEY))
_FINISH = Prepared(lambda _: update(idempotency_keys).where(_KEY)
                   .values(replay=bindparam("replay")))
_FORGET = Prepared(lambda _: delete(idempotency_keys).where(_KEY))
_TAKE_OVER = Prepared(lambda _: update(idempotency_keys)
                      .where(_KEY, idempotency_keys.c.replay.is_(None),
                             idempotency_keys.c.created_at < bindparam("stale_before"))
                      .values(created_at=bindparam("now")))
_PURGE = Prepared(lambda _: delete(idempotency_keys)
                  .where(idempotency_keys.c.created_at < bindparam("before")))


class SqlIdempotencyRepository(Repository):
    """A claim is one INSERT ... ON CONFLICT DO NOTHING, and a read only when the key is taken
    (a savepoint around a failing INSERT cost two more statements, three when it failed)."""

    def claim(self, user_id: int, endpoint: str, key: str, fingerprint: str,
              now: datetime) -> IdempotentRequest | None:
        where = {"user_id": user_id, "endpoint": endpoint, "key": key}
        for _ in range(_CLAIM_TRIES):
            if _CLAIM.run(self.c, {**where, "fingerprint": fingerprint,
                                   "created_at": now}) == 1:
                return None
            row = _FOUND.first(self.c, where)
            if row is not None:
                return IdempotentRequest(row.fingerprint, row.replay)
            # Taken, then forgotten (or purged) by another transaction since: claim again.
        raise RuntimeError("an idempotency key kept being taken and freed under this claim")

    def finish(self, user_id: int, endpoint: str, key: str, replay: Replay) -> None:
        _FINISH.run(self.c, {"user_id": user_id, "endpoint": endpoint, "key": key,
                             "replay": replay})

    def forget(self, user_id: int, endpoint: str, key: str) -> None:
        _FORGET.run(self.c, {"user_id": user_id, "endpoint": endpoint, "key": key})

    def take_over(self, user_id: int, endpoint: str, key: str, stale_before: datetime,
                  now: datetime) -> bool:
        return _TAKE_OVER.run(self.c, {"user_id": user_id, "endpoint": endpoint, "key": key,
                                       "stale_before": stale_before, "now": now}) == 1

    def purge(self, before: datetime) -> int:
        return _PURGE.run(self.c, {"before": before})
