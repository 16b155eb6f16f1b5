"""What every in-memory repository shares: copies in and out, and the tracker hook."""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, TypeVar

from shopcore.domain.events import Aggregate
from shopcore.ports.unit_of_work import Track

__all__ = ["Track", "clone", "deep_clone", "like"]
A = TypeVar("A")


def clone(entity: A) -> A:
    """A copy with its own (empty) event list, so nothing recorded leaks into the store."""
    twin = copy.copy(entity)
    if isinstance(twin, Aggregate):
        twin.events = []
    return twin


def deep_clone(aggregate: Any) -> Any:
    """A deep copy (for aggregates holding mutable parts) with an empty event list."""
    twin = copy.deepcopy(aggregate)
    twin.events = []
    return twin


def like(slugs: Iterable[str], base: str) -> set[str]:
    return {s for s in slugs if s == base or s.startswith(base + "-")}
