"""Categories on SQLAlchemy."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, update

from shopcore.adapters.sqlalchemy import mappers as m
from shopcore.adapters.sqlalchemy.base import Repository, slugs_like
from shopcore.adapters.sqlalchemy.tables import categories
from shopcore.domain.catalog import Category
from shopcore.domain.pagination import PageRequest


class SqlCategoryRepository(Repository):
    def add(self, category: Category) -> None:
        result = self._write(insert(categories).values(m.category_to_row(category)),
                             "A category with this name already exists.")
        category.id = result.inserted_primary_key[0]

    def get(self, category_id: int) -> Category | None:
        row = self.c.execute(select(categories).where(categories.c.id == category_id)).first()
        return m.category_from_row(row) if row else None

    def by_name(self, name: str) -> Category | None:
        row = self.c.execute(select(categories)
                             .where(categories.c.name_key == name.casefold())).first()
        return m.category_from_row(row) if row else None

    def slugs_like(self, base: str) -> set[str]:
        return slugs_like(self.c, categories.c.slug, base)

    def save(self, category: Category) -> None:
        self._write(update(categories).where(categories.c.id == category.id)
                    .values(m.category_to_row(category)),
                    "A category with this name already exists.")

    def delete(self, category: Category) -> None:
        self._write(delete(categories).where(categories.c.id == category.id),
                    "This category still has products.")

    def list(self, page: PageRequest) -> tuple[Sequence[Category], int]:
        total = int(self.c.scalar(select(func.count()).select_from(categories)) or 0)
        rows = self.c.execute(select(categories).order_by(categories.c.id)
                              .limit(page.size).offset(page.offset))
        return [m.category_from_row(r) for r in rows], total

    def all(self) -> Sequence[Category]:
        rows = self.c.execute(select(categories).order_by(categories.c.id))
        return [m.category_from_row(r) for r in rows]
