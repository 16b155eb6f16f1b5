"""Who is asking: the signed-in caller a use case acts for."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Viewer:
    """A signed-in user, staff or not, as the access token says."""

    user_id: int
    is_staff: bool = False

    @property
    def name(self) -> str:
        """How history and events name this caller: `user:7` or `staff:1`."""
        return f"{'staff' if self.is_staff else 'user'}:{self.user_id}"
