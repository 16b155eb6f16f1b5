"""Readiness: whether the shop can serve, and the state of each part it depends on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from shopcore.ports.health import DOWN, UP, Probe

DEGRADED = "degraded"


@dataclass(frozen=True)
class Fixed:
    """A probe whose answer needs no asking: 'disabled' when not configured, 'up' in process."""

    answer: str

    def check(self) -> str:
        return self.answer


@dataclass(frozen=True)
class Readiness:
    """'ok', 'degraded' (something other than the database is down) or 'down', and each check."""

    status: str
    checks: dict[str, str]


def _ask(probe: Probe) -> str:
    try:
        return str(probe.check())
    except Exception:  # an unreachable dependency is an answer, not an error
        return DOWN


@dataclass(frozen=True)
class SearchProbe:
    """The search engine's own answer; 'degraded' while it is down and a fallback answers."""

    search: Probe
    fallback: Probe | None = None

    def check(self) -> str:
        answer = _ask(self.search)
        if answer == DOWN and self.fallback is not None and _ask(self.fallback) != DOWN:
            return DEGRADED
        return answer


@dataclass
class CheckReadiness:
    """Probe every dependency; without the database the shop is down, without another degraded."""

    probes: Mapping[str, Probe]

    def __call__(self) -> Readiness:
        checks = {name: _ask(probe) for name, probe in self.probes.items()}
        if checks.get("database") != UP:
            return Readiness("down", checks)
        hurt = DOWN in checks.values() or DEGRADED in checks.values()
        return Readiness(DEGRADED if hurt else "ok", checks)
