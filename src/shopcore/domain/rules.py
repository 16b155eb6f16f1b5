"""Business rules as named objects, checked together so every broken one is reported."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.errors import ValidationFailed


@dataclass(frozen=True)
class BusinessRule:
    """A rule about one field; subclasses say when it is broken and why."""

    field: str

    def is_broken(self) -> bool:
        raise NotImplementedError

    @property
    def message(self) -> str:
        raise NotImplementedError


def check_rules(*rules: BusinessRule) -> None:
    """Raise ValidationFailed listing every broken rule, field by field."""
    errors: dict[str, list[str]] = {}
    for rule in rules:
        if rule.is_broken():
            errors.setdefault(rule.field, []).append(rule.message)
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(first, errors)
