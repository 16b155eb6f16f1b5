"""Catalog schemas: categories, products and the product listing's query string."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from shopcore.domain.catalog import MAX_CATEGORY_NAME, MAX_PRODUCT_NAME, PRODUCT_ORDERINGS
from shopcore.domain.money import MAX_AMOUNT, Money, MoneyError, to_amount
from shopcore.entrypoints.http.schemas.common import PageSchema, StrictInteger

MAX_ID = 2**63 - 1
MAX_STOCK = 2**31 - 1
MAX_AMOUNT_CHARS = 40


class Text(fields.String):
    """A string every database can store: no NUL characters, no lone surrogates."""

    default_error_messages = {
        "null_character": "Null characters are not allowed.",
        "not_unicode": "Not valid Unicode text.",
    }

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise self.make_error("null_character")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise self.make_error("not_unicode") from None
        return text


class Amount(fields.Field[Decimal]):
    """Money in: a JSON number or a decimal string, at most two places; out: "12.50"."""

    default_error_messages = {
        "invalid": "A valid number is required.",
        "too_large": f"Ensure this value is less than or equal to {MAX_AMOUNT}.",
        "too_small": f"Ensure this value is greater than or equal to -{MAX_AMOUNT}.",
    }

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None:
            return None
        return str(value.amount if isinstance(value, Money) else value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.make_error("invalid")
        if isinstance(value, str) and len(value) > MAX_AMOUNT_CHARS:
            raise self.make_error("invalid")
        try:
            amount = Decimal(repr(value) if isinstance(value, float) else value)
        except InvalidOperation:
            raise self.make_error("invalid") from None
        if not amount.is_finite():
            raise self.make_error("invalid")
        if amount > MAX_AMOUNT:
            raise self.make_error("too_large")
        if amount < -MAX_AMOUNT:
            raise self.make_error("too_small")
        try:
            return to_amount(amount)
        except MoneyError as exc:
            raise ValidationError(str(exc)) from None


class CategorySchema(Schema):
    """A category; `product_count` counts the products in it."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, metadata={"description": f"1-{MAX_CATEGORY_NAME} characters; "
                                                        "unique ignoring case."})
    slug = fields.String(dump_only=True)
    description = Text(metadata={"description": "Free text; empty when omitted on create."})
    product_count = fields.Integer(dump_only=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Dump a CategoryView: its category's fields plus its product count."""
        if attr == "product_count":
            return obj.product_count
        return getattr(obj.category, attr, default)


class CategoryPatchSchema(CategorySchema):
    """A category change: only the fields given change."""


class CategoryPageSchema(PageSchema):
    results = fields.Nested(CategorySchema, many=True, required=True)


class ProductSchema(Schema):
    """A product; `stock` null means stock is not tracked (always in stock, never reserved)."""

    id = fields.Integer(dump_only=True)
    name = Text(required=True, metadata={"description": f"1-{MAX_PRODUCT_NAME} characters."})
    slug = fields.String(dump_only=True)
    description = Text(metadata={"description": "Free text; empty when omitted on create."})
    price = Amount(required=True, metadata={
        "type": "string", "format": "decimal", "example": "12.50",
        "description": "In: a JSON number or a decimal string, at most 2 places, 0 to "
                       f"{MAX_AMOUNT}. Out: a decimal string with two places."})
    currency = fields.Function(lambda product: product.price.currency, dump_only=True,
                               metadata={"type": "string", "example": "USD"})
    category = StrictInteger(required=True, attribute="category_id",
                             validate=validate.Range(min=1, max=MAX_ID),
                             metadata={"description": "The id of an existing category."})
    stock = StrictInteger(allow_none=True, validate=[
        validate.Range(min=0, error="Ensure this value is greater than or equal to 0."),
        validate.Range(max=MAX_STOCK, error=f"Ensure this value is less than or equal to "
                                            f"{MAX_STOCK}.")],
                          metadata={"description": "Units on hand; null or omitted on create "
                                                   "means stock is not tracked. On PUT an "
                                                   "omitted stock is kept, null untracks it."})
    in_stock = fields.Boolean(dump_only=True)
    created_at = fields.DateTime(dump_only=True)
    updated_at = fields.DateTime(dump_only=True)


class ProductCreateSchema(ProductSchema):
    """A new product: `description` is required (API.md), unlike on PUT where it is kept."""

    description = Text(required=True, metadata={"description": "Free text; may be empty."})


class ProductPatchSchema(ProductSchema):
    """A product change: only the fields given change; `"stock": null` untracks stock."""


class ProductPageSchema(PageSchema):
    results = fields.Nested(ProductSchema, many=True, required=True)


class PageArgsSchema(Schema):
    """`?page=` and `?page_size=`, documented here and read by page_request()."""

    page = fields.Raw(metadata={
        "type": "integer", "minimum": 1,
        "description": "Page number, from 1; a page that does not exist is 404."})
    page_size = fields.Raw(metadata={
        "type": "integer", "minimum": 1, "default": 20,
        "description": "Items per page (default 20); above 100 is capped at 100."})


class ProductArgsSchema(PageArgsSchema):
    """Filters and ordering of the product listing; a value that does not parse is 400."""

    category = fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID),
                              metadata={"description": "Only products of this category id."})
    min_price = Amount(metadata={"type": "string", "format": "decimal",
                                 "description": "Price at least this (inclusive)."})
    max_price = Amount(metadata={"type": "string", "format": "decimal",
                                 "description": "Price at most this (inclusive)."})
    in_stock = fields.Boolean(truthy={"true", "True", "TRUE", "1"},
                              falsy={"false", "False", "FALSE", "0"},
                              metadata={"description": "true|false (or 1|0); untracked stock "
                                                       "counts as in stock."})
    ordering = fields.String(validate=validate.OneOf(PRODUCT_ORDERINGS),
                             metadata={"enum": list(PRODUCT_ORDERINGS)})
