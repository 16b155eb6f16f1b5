"""Business rules as named objects, checked together so every broken one is reported."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.errors import DomainError, ValidationFailed

# Every C0 control character and DEL; multi-line text may still hold tabs and line breaks.
CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}
LINE_BREAKS = frozenset("\t\n\r")
PLAIN_TEXT = "Control characters and unpaired surrogates are not allowed."


@dataclass(frozen=True)
class BusinessRule:
    """A rule about one field; subclasses say when it is broken and why."""

    field: str

    def is_broken(self) -> bool:
        raise NotImplementedError

    @property
    def message(self) -> str:
        """What the field's list of errors says."""
        raise NotImplementedError

    @property
    def summary(self) -> str:
        """The error's headline when this is the first broken rule."""
        return self.message


def check_rules(*rules: BusinessRule, error: type[DomainError] = ValidationFailed) -> None:
    """Raise `error` listing every broken rule, field by field, each message once."""
    broken = [rule for rule in rules if rule.is_broken()]
    if not broken:
        return
    errors: dict[str, list[str]] = {}
    for rule in broken:
        messages = errors.setdefault(rule.field, [])
        if rule.message not in messages:
            messages.append(rule.message)
    raise error(broken[0].summary, errors)


def check_state(rule: BusinessRule, error: type[DomainError] = ValidationFailed) -> None:
    """Raise `error` with the rule's message alone: the state is at fault, not a field."""
    if rule.is_broken():
        raise error(rule.summary)


def is_plain(text: str, *, multiline: bool = False) -> bool:
    """No control character (tabs and line breaks allowed if `multiline`), no lone surrogate."""
    allowed = LINE_BREAKS if multiline else frozenset()
    return not any((ch in CONTROL and ch not in allowed) or 0xD800 <= ord(ch) <= 0xDFFF
                   for ch in text)


@dataclass(frozen=True)
class TextMustBePlain(BusinessRule):
    """No control characters nor unpaired surrogates; `multiline` text may hold \\t \\n \\r."""

    text: str
    multiline: bool = False
    refusal: str = PLAIN_TEXT

    def is_broken(self) -> bool:
        return not is_plain(self.text, multiline=self.multiline)

    @property
    def message(self) -> str:
        return self.refusal
