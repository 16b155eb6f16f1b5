"""The database engines of product search, each over a fresh migrated database of its own.

Each factory takes the test's `request` and answers the units of work of that database and
the search engine over it, for the shared search contract suite and for test_sql_search.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from shopcore.ports.search import ProductSearch
from tests.helpers import UowFactory, truncate_postgres


def sqlite_engine(request: pytest.FixtureRequest) -> tuple[UowFactory, ProductSearch]:
    """FTS5 in a copy of the migrated SQLite template."""
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
    from shopcore.adapters.sqlsearch.sqlite import SqliteSearch

    path: Path = request.getfixturevalue("tmp_path") / "search.sqlite3"
    shutil.copy(request.getfixturevalue("sqlite_template"), path)
    engine = make_engine(f"sqlite:///{path}")
    request.addfinalizer(engine.dispose)
    return (lambda: SqlUnitOfWork(engine)), SqliteSearch(engine)


def postgres_engine(request: pytest.FixtureRequest) -> tuple[UowFactory, ProductSearch]:
    """Full text in the session's migrated PostgreSQL database, emptied first."""
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
    from shopcore.adapters.sqlsearch.postgres import PostgresSearch

    url: str = request.getfixturevalue("postgres_url")
    truncate_postgres(url)
    engine = make_engine(url)
    request.addfinalizer(engine.dispose)
    return (lambda: SqlUnitOfWork(engine)), PostgresSearch(engine)


SQL_ENGINES = {"sqlite": sqlite_engine, "postgres": postgres_engine}
