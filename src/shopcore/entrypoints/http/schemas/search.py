"""Search schemas: the query string, a found product with its score, and the facets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import Schema, fields

from shopcore.entrypoints.http.schemas.catalog import ProductArgsSchema, ProductSchema, Text
from shopcore.entrypoints.http.schemas.common import PageSchema
from shopcore.ports.search import MAX_QUERY

AMOUNT = {"type": "string", "format": "decimal", "example": "25.00"}


def _amount(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


class SearchArgsSchema(ProductArgsSchema):
    """`q`, the product list's filters and the page; a value that does not parse is 400."""

    class Meta:
        exclude = ("ordering",)

    q = Text(required=True, metadata={
        "description": f"What to look for: 1-{MAX_QUERY} characters once trimmed; words "
                       "match by prefix (3+ letters) and with one typo, accents and case "
                       "ignored."})


class FoundProductSchema(ProductSchema):
    """A product of the product list plus its relevance (higher is better, within a search)."""

    currency = fields.Function(lambda found: found.product.price.currency, dump_only=True,
                               metadata={"type": "string", "example": "USD"})
    score = fields.Float(dump_only=True, metadata={"description": "Relevance; the order of "
                                                                  "the results."})

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        """Dump a ScoredProduct: its product's fields plus its score."""
        if attr == "score":
            return obj.score
        return super().get_attribute(obj.product, attr, default)


class CategoryFacetSchema(Schema):
    id = fields.Integer(attribute="category_id", required=True)
    name = fields.String(required=True)
    count = fields.Integer(required=True)


class PriceFacetSchema(Schema):
    """Matches priced from `min` (inclusive) to `max` (exclusive; null: no upper bound)."""

    min = fields.Function(lambda facet: _amount(facet.min), required=True, metadata=AMOUNT)
    max = fields.Function(lambda facet: _amount(facet.max), allow_none=True,
                          metadata={**AMOUNT, "nullable": True})
    count = fields.Integer(required=True)


class FacetsSchema(Schema):
    """Counted over every match, not only the page."""

    categories = fields.Nested(CategoryFacetSchema, many=True, required=True)
    price_ranges = fields.Nested(PriceFacetSchema, many=True, required=True)


class SearchPageSchema(PageSchema):
    results = fields.Nested(FoundProductSchema, many=True, required=True)
    facets = fields.Nested(FacetsSchema, required=True)
