"""Readiness: each piece of infrastructure says whether it can serve."""

from __future__ import annotations

from typing import Protocol

UP, DOWN, DISABLED = "up", "down", "disabled"


class Probe(Protocol):
    """A quick look at one dependency: 'up', 'down' or 'disabled'; raising counts as 'down'."""

    def check(self) -> str: ...
