"""Limits on how often something may be asked for."""

from __future__ import annotations

from typing import Protocol


class ResetRequestLimit(Protocol):
    """Counts reset requests per e-mail and per client, atomically; with its store down, in process.

    `hit` counts one request and answers the seconds to wait when either count is over its
    limit (that request is refused), else None.
    """

    def hit(self, email: str, client: str) -> int | None: ...
