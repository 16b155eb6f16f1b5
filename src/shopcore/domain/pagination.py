"""Pages of results: what was asked for and what came back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from shopcore.domain.errors import NotFound, ValidationFailed

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
MAX_OFFSET = 2**62


class PageNotFound(NotFound):
    """The page asked for is below 1 or past the last one."""

    def __init__(self, number: int) -> None:
        super().__init__(f"There is no page {number}.")
        self.number = number


class PageSizeTooSmall(ValidationFailed):
    """A page must hold at least one item."""

    def __init__(self, size: int) -> None:
        super().__init__("Page size must be positive.", {"size": ["Must be at least 1."]})
        self.size = size


@dataclass(frozen=True)
class PageRequest:
    """Page `number` (from 1) of `size` items; sizes above the cap are capped."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        if self.number < 1:
            raise PageNotFound(self.number)
        if self.size < 1:
            raise PageSizeTooSmall(self.size)
        object.__setattr__(self, "size", min(self.size, MAX_PAGE_SIZE))
        if self.offset > MAX_OFFSET:
            raise PageNotFound(self.number)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


@dataclass(frozen=True)
class Page(Generic[T]):
    """The items of one page and the count over all pages."""

    items: Sequence[T]
    total: int
    request: PageRequest

    def __post_init__(self) -> None:
        if self.request.number > 1 and self.request.offset >= self.total:
            raise PageNotFound(self.request.number)

    @property
    def number(self) -> int:
        return self.request.number

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.request.size))

    @property
    def has_next(self) -> bool:
        return self.request.number < self.pages

    @property
    def has_previous(self) -> bool:
        return self.request.number > 1
