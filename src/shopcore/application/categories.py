"""Categories: list, read, create, change, delete."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.catalog import Category
from shopcore.domain.errors import Conflict, NotFound
from shopcore.domain.pagination import Page, PageRequest
from shopcore.domain.text import slugify, unique_slug
from shopcore.ports.catalog_cache import CatalogCache
from shopcore.ports.unit_of_work import UnitOfWork

DUPLICATE = "A category with this name already exists."


@dataclass(frozen=True)
class CategoryView:
    """A category and how many products it holds."""

    category: Category
    product_count: int


def load_category(uow: UnitOfWork, category_id: int) -> Category:
    category = uow.categories.get(category_id)
    if category is None:
        raise NotFound("Category not found.")
    return category


def ensure_name_free(uow: UnitOfWork, name: str, category_id: int | None = None) -> None:
    other = uow.categories.by_name(name)
    if other is not None and other.id != category_id:
        raise Conflict(DUPLICATE, {"name": [DUPLICATE]})


def changed(cache: CatalogCache | None) -> None:
    """After the commit: no cached catalog answer read before it is served again."""
    if cache is not None:
        cache.bump()


def view_of(uow: UnitOfWork, category: Category) -> CategoryView:
    assert category.id is not None
    count = uow.products.count_by_category([category.id]).get(category.id, 0)
    return CategoryView(category, count)


class ListCategories:
    """A page of categories with their product counts."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, page: PageRequest) -> Page[CategoryView]:
        with self.uow:
            items, total = self.uow.categories.list(page)
            counts = self.uow.products.count_by_category([c.id for c in items if c.id])
        views = [CategoryView(c, counts.get(c.id or 0, 0)) for c in items]
        return Page(views, total, page)


class GetCategory:
    """One category with its product count."""

    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def __call__(self, *, category_id: int) -> CategoryView:
        with self.uow:
            return view_of(self.uow, load_category(self.uow, category_id))


class CreateCategory:
    """Add a category; names are unique ignoring case."""

    def __init__(self, uow: UnitOfWork, cache: CatalogCache | None = None) -> None:
        self.uow, self.cache = uow, cache

    def __call__(self, *, name: str, description: str = "") -> CategoryView:
        name = name.strip()
        Category.check(name, description)
        with self.uow:
            ensure_name_free(self.uow, name)
            slug = slugify(name)
            category = Category(name=name, description=description,
                                slug=unique_slug(slug, self.uow.categories.slugs_like(slug)))
            self.uow.categories.add(category)
            self.uow.commit()
        changed(self.cache)
        return CategoryView(category, 0)


class UpdateCategory:
    """Rename or redescribe a category; a new name gets a new slug."""

    def __init__(self, uow: UnitOfWork, cache: CatalogCache | None = None) -> None:
        self.uow, self.cache = uow, cache

    def __call__(
        self, *, category_id: int, name: str | None = None, description: str | None = None
    ) -> CategoryView:
        with self.uow:
            category = load_category(self.uow, category_id)
            if name is not None and name.strip() != category.name:
                name = name.strip()
                Category.check(name)
                ensure_name_free(self.uow, name, category_id)
                slug = slugify(name)
                taken = self.uow.categories.slugs_like(slug) - {category.slug}
                category.name, category.slug = name, unique_slug(slug, taken)
            if description is not None:
                Category.check(category.name, description)
                category.description = description
            self.uow.categories.save(category)
            view = view_of(self.uow, category)
            self.uow.commit()
        changed(self.cache)
        return view


class DeleteCategory:
    """Remove an empty category; one that still holds products is a conflict."""

    def __init__(self, uow: UnitOfWork, cache: CatalogCache | None = None) -> None:
        self.uow, self.cache = uow, cache

    def __call__(self, *, category_id: int) -> None:
        with self.uow:
            category = load_category(self.uow, category_id)
            if self.uow.products.count_by_category([category_id]).get(category_id, 0):
                raise Conflict("This category still has products; move or delete them first.")
            self.uow.categories.delete(category)
            self.uow.commit()
        changed(self.cache)
