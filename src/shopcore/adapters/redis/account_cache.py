"""Accounts' standing kept a few seconds in Redis, shared by every worker."""

from __future__ import annotations

import json
import logging
import math
from datetime import datetime

import redis

from shopcore.domain.user import AccountStanding

log = logging.getLogger(__name__)


class RedisAccountCache:
    """`account:<id>` as JSON with a TTL of `ttl_seconds`; an outage is a miss, never an error."""

    def __init__(self, client: redis.Redis, ttl_seconds: float = 5) -> None:
        self.client, self.ttl_ms = client, math.ceil(ttl_seconds * 1000)

    def get(self, user_id: int) -> AccountStanding | None:
        try:
            raw = self.client.get(f"account:{user_id}")
        except redis.RedisError as exc:
            log.warning("account cache: Redis unavailable (%s); reading the database", exc)
            return None
        if not isinstance(raw, str):
            return None
        try:
            data = json.loads(raw)
            after = data["tokens_valid_after"]
            return AccountStanding(is_active=data["is_active"] is True,
                                   is_staff=data["is_staff"] is True,
                                   tokens_valid_after=datetime.fromisoformat(after)
                                   if after else None)
        except (ValueError, KeyError, TypeError):
            return None

    def put(self, user_id: int, standing: AccountStanding) -> None:
        if self.ttl_ms <= 0:
            return
        after = standing.tokens_valid_after
        body = json.dumps({"is_active": standing.is_active, "is_staff": standing.is_staff,
                           "tokens_valid_after": after.isoformat() if after else None})
        try:
            self.client.set(f"account:{user_id}", body, px=self.ttl_ms)
        except redis.RedisError as exc:
            log.warning("account cache: Redis unavailable (%s)", exc)

    def forget(self, user_id: int) -> None:
        try:
            self.client.delete(f"account:{user_id}")
        except redis.RedisError as exc:
            log.warning("account cache: Redis unavailable (%s); the copy expires by itself", exc)
