"""Product search: anyone searches; relevance first, the product list's filters, facets."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from shopcore.domain.catalog import ProductQuery
from shopcore.entrypoints.http.blueprint import blueprint
from shopcore.entrypoints.http.cached import cached_read
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.pagination import envelope, page_request
from shopcore.entrypoints.http.schemas.search import SearchArgsSchema, SearchPageSchema

blp = blueprint("search", __name__, url_prefix="/api", description="Product search")


@blp.route("/products/search/")
class ProductSearch(MethodView):
    @cached_read(SearchArgsSchema().fields)
    @blp.errors(400, 404, 503)
    @blp.arguments(SearchArgsSchema, location="query")
    @blp.response(200, SearchPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Search products: ranked, typo-tolerant, filtered, with facets over every match."""
        filters = ProductQuery(category_id=args.get("category"), min_price=args.get("min_price"),
                               max_price=args.get("max_price"), in_stock=args.get("in_stock"))
        found = shop().search_products(text=args["q"], filters=filters, page=page_request())
        return envelope(found.page, facets={"categories": found.categories,
                                            "price_ranges": found.price_ranges})
