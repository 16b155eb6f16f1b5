"""Fields and schemas shared by every area."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields


class StrictInteger(fields.Integer):
    """A JSON integer only: "2", 1.5, true and null are refused."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError("A valid integer is required.")
        result: int = super()._deserialize(value, attr, data, **kwargs)
        return result


class ErrorSchema(Schema):
    """The one error shape."""

    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()))


class PageSchema(Schema):
    """DRF-style envelope; subclasses set `results`."""

    count = fields.Integer(required=True)
    next = fields.String(allow_none=True)
    previous = fields.String(allow_none=True)


class DetailSchema(Schema):
    detail = fields.String(required=True)
