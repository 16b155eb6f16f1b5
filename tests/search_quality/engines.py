"""Every engine this checkout can build, each loaded with the generated catalog.

An engine whose module is not there (or whose service is not reachable) is skipped with a
line saying why, so the figures run on any checkout.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

from shopcore.domain.catalog import Category, Product
from shopcore.domain.money import Money
from shopcore.ports.search import ProductSearch
from shopcore.ports.unit_of_work import UnitOfWork
from tests.search_quality.catalog import Item

NOW = datetime(2026, 1, 1, tzinfo=UTC)
PG_ADMIN_URL = os.environ.get("SHOPCORE_TEST_POSTGRES_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")


class Loaded:
    """The catalog as stored: its products (with ids) and category ids by name."""

    def __init__(self, products: list[Product], category_ids: dict[str, int]) -> None:
        self.products, self.category_ids = products, category_ids
        self.names = {category_id: name for name, category_id in category_ids.items()}


def load(new_uow: Callable[[], UnitOfWork], items: list[Item]) -> Loaded:
    """Store the generated catalog through a unit of work, so ids are the database's."""
    with new_uow() as uow:
        categories: dict[str, int] = {}
        for name in dict.fromkeys(item.category for item in items):
            category = Category(name, name.lower())
            uow.categories.add(category)
            assert category.id is not None
            categories[name] = category.id
        products = [Product(name=i.name, slug=f"p{n}", description=i.description,
                            price=Money(i.price, "USD"), category_id=categories[i.category],
                            stock=i.stock, created_at=NOW, updated_at=NOW)
                    for n, i in enumerate(items)]
        uow.products.add_many(products)
        uow.commit()
    return Loaded(products, categories)


def adapter(module: str, name: str) -> Any:
    """An engine's class, if this checkout has its module (ImportError otherwise)."""
    return getattr(importlib.import_module(module), name)


EngineBuilder = Callable[[list[Item]], contextlib.AbstractContextManager[tuple[ProductSearch,
                                                                              Loaded]]]


@contextlib.contextmanager
def memory(items: list[Item]) -> Iterator[tuple[ProductSearch, Loaded]]:
    from shopcore.adapters.memory.store import MemoryStore
    from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork

    store = MemoryStore()
    search = adapter("shopcore.adapters.memory.search", "MemorySearch")()
    yield _built(search, load(lambda: MemoryUnitOfWork(store), items))


@contextlib.contextmanager
def on_database(url: str, search_of: Callable[[Any], ProductSearch],
                items: list[Item]) -> Iterator[tuple[ProductSearch, Loaded]]:
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlalchemy.migrate import upgrade
    from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork

    upgrade(url)
    engine = make_engine(url)
    try:
        yield _built(search_of(engine), load(lambda: SqlUnitOfWork(engine), items))
    finally:
        engine.dispose()


@contextlib.contextmanager
def sqlite(items: list[Item]) -> Iterator[tuple[ProductSearch, Loaded]]:
    search_of = adapter("shopcore.adapters.sqlsearch.sqlite", "SqliteSearch")
    with (tempfile.TemporaryDirectory() as folder,
          on_database(f"sqlite:///{folder}/quality.sqlite3", search_of, items) as built):
        yield built


@contextlib.contextmanager
def postgres(items: list[Item]) -> Iterator[tuple[ProductSearch, Loaded]]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    search_of = adapter("shopcore.adapters.sqlsearch.postgres", "PostgresSearch")

    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"shopcore_quality_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        with on_database(url, search_of, items) as built:
            yield built
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def opensearch(items: list[Item]) -> Iterator[tuple[ProductSearch, Loaded]]:
    from shopcore.adapters.memory.store import MemoryStore
    from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
    from shopcore.adapters.opensearch.search import OpenSearchSearch, opensearch_client

    url = os.environ.get("SHOPCORE_OPENSEARCH_URL")
    if not url:
        raise LookupError("SHOPCORE_OPENSEARCH_URL is not set")
    client = opensearch_client(url, os.environ.get("SHOPCORE_OPENSEARCH_USER"),
                               os.environ.get("SHOPCORE_OPENSEARCH_PASSWORD"), 10.0)
    prefix = f"shopcore-quality-{uuid.uuid4().hex[:8]}"
    store = MemoryStore()
    try:
        yield _built(OpenSearchSearch(client, prefix),
                     load(lambda: MemoryUnitOfWork(store), items))
    finally:
        client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
        client.close()


def _built(search: ProductSearch, loaded: Loaded) -> tuple[ProductSearch, Loaded]:
    search.rebuild(loaded.products, loaded.names)
    return search, loaded


ENGINES: dict[str, EngineBuilder] = {"memory": memory, "sqlite": sqlite, "postgres": postgres,
                                     "opensearch": opensearch}
