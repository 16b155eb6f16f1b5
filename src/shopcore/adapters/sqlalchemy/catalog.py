"""Products on SQLAlchemy (categories: categories.py)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Integer,
    Select,
    bindparam,
    cast,
    delete,
    func,
    insert,
    literal_column,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from shopcore.adapters.sqlalchemy import mappers as m
from shopcore.adapters.sqlalchemy.base import AggregateRepository, slugs_like
from shopcore.adapters.sqlalchemy.prepared import Prepared, any_of
from shopcore.adapters.sqlalchemy.tables import products
from shopcore.domain.catalog import Product, ProductQuery
from shopcore.domain.pagination import PageRequest


def _get_many(dialect: str, *, for_update: bool) -> Any:
    statement = (select(products).where(any_of(dialect, products.c.id, "ids"))
                 .order_by(products.c.id))
    # SQLite serialises writers with BEGIN IMMEDIATE; PostgreSQL needs the row locks.
    return statement.with_for_update() if for_update and dialect == "postgresql" else statement


def _reserve_many(dialect: str) -> Any:
    """Take each product's wanted units where its tracked stock covers them; the ids taken.

    The wanted units come as two arrays on PostgreSQL (unnest), as a JSON object of id to
    units on SQLite (json_each): one statement text for any number of products.
    """
    if dialect == "postgresql":
        wanted: Any = (func.unnest(bindparam("ids", type_=ARRAY(BigInteger())),
                                   bindparam("quantities", type_=ARRAY(Integer())))
                       .table_valued("id", "quantity").render_derived(name="wanted"))
    else:
        wanted = (select(cast(literal_column("key"), Integer()).label("id"),
                         literal_column("value", Integer()).label("quantity"))
                  .select_from(func.json_each(bindparam("wanted", type_=JSON())))
                  .subquery("wanted"))
    return (update(products)
            .where(products.c.id == wanted.c.id, products.c.stock.is_not(None),
                   products.c.stock >= wanted.c.quantity)
            .values(stock=products.c.stock - wanted.c.quantity)
            .returning(products.c.id))


_RESERVE_MANY = Prepared(_reserve_many)
_GET_MANY = Prepared(lambda dialect: _get_many(dialect, for_update=False))
_GET_MANY_FOR_UPDATE = Prepared(lambda dialect: _get_many(dialect, for_update=True))

GIN_INDEXES = ("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()"
               " AND tablename = 'products' AND indexdef LIKE '% USING gin %'")


ORDER_COLUMNS = {"price": products.c.price_cents, "name": products.c.name,
                 "created_at": products.c.created_at}


def _filtered(statement: Select[Any], q: ProductQuery) -> Select[Any]:
    if q.category_id is not None:
        statement = statement.where(products.c.category_id == q.category_id)
    if q.min_price is not None:
        statement = statement.where(products.c.price_cents >= math.ceil(q.min_price * 100))
    if q.max_price is not None:
        statement = statement.where(products.c.price_cents <= math.floor(q.max_price * 100))
    if q.in_stock is True:
        statement = statement.where(or_(products.c.stock.is_(None), products.c.stock > 0))
    elif q.in_stock is False:
        statement = statement.where(products.c.stock <= 0)
    return statement


def _order(q: ProductQuery) -> list[Any]:
    if not q.ordering:
        return [products.c.id.asc()]
    column = ORDER_COLUMNS[q.ordering.lstrip("-")]
    if q.ordering.startswith("-"):
        return [column.desc(), products.c.id.desc()]
    return [column.asc(), products.c.id.asc()]


class SqlProductRepository(AggregateRepository):
    def add(self, product: Product) -> None:
        result = self._write(insert(products).values(m.product_to_row(product)),
                             "A product with this slug already exists.")
        product.id = result.inserted_primary_key[0]
        self.track(product, new=True)

    def add_many(self, items: Iterable[Product]) -> int:
        batch = list(items)
        if not batch:
            return 0
        # One executemany ("insertmanyvalues") that hands back the ids in the rows' order.
        statement = insert(products).returning(products.c.id, sort_by_parameter_order=True)
        ids = self.c.execute(statement, [m.product_to_row(p) for p in batch]).scalars().all()
        for product, product_id in zip(batch, ids, strict=True):
            product.id = int(product_id)
            self.track(product, new=True)
        return len(batch)

    @contextmanager
    def bulk_loading(self) -> Iterator[None]:
        """PostgreSQL: the GIN (search) indexes dropped, then built once from sorted entries.

        A GIN insert per row costs about five times the row itself. The drop and the build
        are in the caller's transaction, so a load that fails leaves the indexes as they were.
        The planner's statistics miss the rows the transaction adds (the outbox grows by one
        event a product), so its look-ups are planned for their values and kept off
        sequential scans: a generic plan of a prepared statement scanned the growing outbox.
        """
        if self.c.dialect.name != "postgresql":
            yield
            return
        self.c.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        self.c.execute(text("SET LOCAL enable_seqscan = off"))
        found = self.c.execute(text(GIN_INDEXES)).all()
        for name, _ in found:
            self.c.execute(text(f'DROP INDEX "{name}"'))
        yield
        self.c.execute(text("SET LOCAL maintenance_work_mem = '256MB'"))
        for _, definition in found:
            self.c.execute(text(definition))

    def get(self, product_id: int) -> Product | None:
        row = self.c.execute(select(products).where(products.c.id == product_id)).first()
        return m.product_from_row(row) if row else None

    def slugs_like(self, base: str) -> set[str]:
        return slugs_like(self.c, products.c.slug, base)

    def save(self, product: Product) -> None:
        self.track(product)
        self._write(update(products).where(products.c.id == product.id)
                    .values(m.product_to_row(product)),
                    "A product with this slug already exists.")

    def delete(self, product: Product) -> None:
        self.track(product)
        self.c.execute(delete(products).where(products.c.id == product.id))

    def list(self, query: ProductQuery, page: PageRequest, *,
             total: int | None = None) -> tuple[Sequence[Product], int]:
        if total is None:
            total = int(self.c.scalar(
                _filtered(select(func.count()).select_from(products), query)) or 0)
        order = _order(query)
        if page.offset == 0:
            statement = _filtered(select(products), query).order_by(*order).limit(page.size)
        else:
            # A deep page skips over ids alone (an index-only scan), then reads its own rows.
            ids = (_filtered(select(products.c.id), query).order_by(*order)
                   .limit(page.size).offset(page.offset).subquery())
            statement = (select(products).join(ids, products.c.id == ids.c.id)
                         .order_by(*order))
        return [m.product_from_row(r) for r in self.c.execute(statement)], total

    def count_by_category(self, category_ids: Sequence[int]) -> dict[int, int]:
        if not category_ids:
            return {}
        rows = self.c.execute(select(products.c.category_id, func.count())
                              .where(products.c.category_id.in_(list(category_ids)))
                              .group_by(products.c.category_id))
        return {int(r[0]): int(r[1]) for r in rows}

    def count(self) -> int:
        return int(self.c.scalar(select(func.count()).select_from(products)) or 0)

    def get_many(self, product_ids: Sequence[int], *,
                 for_update: bool = False) -> dict[int, Product]:
        if not product_ids:
            return {}
        statement = _GET_MANY_FOR_UPDATE if for_update else _GET_MANY
        rows = statement.rows(self.c, {"ids": list(product_ids)})
        return {r.id: m.product_from_row(r) for r in rows}

    def reserve(self, product_id: int, quantity: int) -> bool:
        result = self.c.execute(
            update(products)
            .where(products.c.id == product_id, products.c.stock.is_not(None),
                   products.c.stock >= quantity)
            .values(stock=products.c.stock - quantity))
        return result.rowcount == 1

    def reserve_many(self, quantities: Mapping[int, int]) -> set[int]:
        if not quantities:
            return set()
        ordered = sorted(quantities.items())
        if self.c.dialect.name == "postgresql":
            params: dict[str, Any] = {"ids": [p for p, _ in ordered],
                                      "quantities": [n for _, n in ordered]}
        else:
            params = {"wanted": {str(p): n for p, n in ordered}}
        taken = _RESERVE_MANY.rows(self.c, params)
        return set(quantities) - {int(r.id) for r in taken}

    def release(self, product_id: int, quantity: int) -> None:
        self.c.execute(update(products)
                       .where(products.c.id == product_id, products.c.stock.is_not(None))
                       .values(stock=products.c.stock + quantity))
