"""Catalog: categories and products; anyone reads, staff writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask.views import MethodView

from shopcore.domain.catalog import ProductQuery
from shopcore.entrypoints.http.auth import staff_required
from shopcore.entrypoints.http.blueprint import blueprint
from shopcore.entrypoints.http.cached import cached_read
from shopcore.entrypoints.http.context import shop
from shopcore.entrypoints.http.pagination import envelope, page_request
from shopcore.entrypoints.http.schemas.catalog import (
    MAX_ID,
    CategoryPageSchema,
    CategoryPatchSchema,
    CategorySchema,
    PageArgsSchema,
    ProductArgsSchema,
    ProductCreateSchema,
    ProductPageSchema,
    ProductPatchSchema,
    ProductSchema,
)

F = TypeVar("F", bound=Callable[..., Any])

blp = blueprint("catalog", __name__, url_prefix="/api", description="Categories and products")

STAFF: list[dict[str, list[str]]] = [{"bearerAuth": []}]
READ_ERRORS = (404,)
WRITE_ERRORS = (400, 401, 403, 404, 409, 413, 415)
CATEGORY_ID = f"<int(max={MAX_ID}):category_id>"
PRODUCT_ID = f"<int(max={MAX_ID}):product_id>"


def staff_write(view: F) -> F:
    """Staff only (401 anonymous, 403 customer, checked before the body is read), documented."""
    secured: F = blp.doc(security=STAFF)(staff_required(blp.errors(*WRITE_ERRORS)(view)))
    return secured


@blp.route("/categories/")
class Categories(MethodView):
    @cached_read(PageArgsSchema().fields)
    @blp.errors(400, *READ_ERRORS)
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, CategoryPageSchema)
    def get(self, _args: dict[str, Any]) -> dict[str, Any]:
        """List categories with their product counts."""
        return envelope(shop().list_categories(page=page_request()))

    @staff_write
    @blp.arguments(CategorySchema)
    @blp.response(201, CategorySchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a category (staff); 409 when the name is taken."""
        return shop().create_category(**data)


@blp.route(f"/categories/{CATEGORY_ID}/")
class CategoryItem(MethodView):
    @cached_read()
    @blp.errors(*READ_ERRORS)
    @blp.response(200, CategorySchema)
    def get(self, category_id: int) -> Any:
        """One category."""
        return shop().get_category(category_id=category_id)

    @staff_write
    @blp.arguments(CategorySchema)
    @blp.response(200, CategorySchema)
    def put(self, data: dict[str, Any], category_id: int) -> Any:
        """Replace a category (staff).

        `name` is required; an omitted `description` keeps its current value.
        """
        return shop().update_category(category_id=category_id, **data)

    @staff_write
    @blp.arguments(CategoryPatchSchema(partial=True))
    @blp.response(200, CategorySchema)
    def patch(self, data: dict[str, Any], category_id: int) -> Any:
        """Change some of a category's fields (staff)."""
        return shop().update_category(category_id=category_id, **data)

    @staff_write
    @blp.response(204)
    def delete(self, category_id: int) -> None:
        """Delete an empty category (staff); 409 while it still has products."""
        shop().delete_category(category_id=category_id)


@blp.route("/products/")
class Products(MethodView):
    @cached_read(ProductArgsSchema().fields)
    @blp.errors(400, *READ_ERRORS)
    @blp.arguments(ProductArgsSchema, location="query")
    @blp.response(200, ProductPageSchema)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List products, filtered and ordered."""
        query = ProductQuery(category_id=args.get("category"), min_price=args.get("min_price"),
                             max_price=args.get("max_price"), in_stock=args.get("in_stock"),
                             ordering=args.get("ordering"))
        return envelope(shop().list_products(query=query, page=page_request()))

    @staff_write
    @blp.arguments(ProductCreateSchema)
    @blp.response(201, ProductSchema)
    def post(self, data: dict[str, Any]) -> Any:
        """Create a product (staff); stock null or omitted means untracked."""
        return shop().create_product(**data)


@blp.route(f"/products/{PRODUCT_ID}/")
class ProductItem(MethodView):
    @cached_read()
    @blp.errors(*READ_ERRORS)
    @blp.response(200, ProductSchema)
    def get(self, product_id: int) -> Any:
        """One product."""
        return shop().get_product(product_id=product_id)

    @staff_write
    @blp.arguments(ProductSchema)
    @blp.response(200, ProductSchema)
    def put(self, data: dict[str, Any], product_id: int) -> Any:
        """Replace a product (staff).

        `name`, `price` and `category` are required. An omitted `description` or `stock`
        keeps its current value; an explicit `"stock": null` makes stock untracked.
        """
        return shop().update_product(product_id=product_id, **data)

    @staff_write
    @blp.arguments(ProductPatchSchema(partial=True))
    @blp.response(200, ProductSchema)
    def patch(self, data: dict[str, Any], product_id: int) -> Any:
        """Change some of a product's fields (staff)."""
        return shop().update_product(product_id=product_id, **data)

    @staff_write
    @blp.response(204)
    def delete(self, product_id: int) -> None:
        """Delete a product (staff)."""
        shop().delete_product(product_id=product_id)
