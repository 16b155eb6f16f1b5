"""The migrations build exactly the schema the code declares, and undo cleanly."""

from __future__ import annotations

import uuid
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from shopcore.adapters.sqlalchemy.migrate import downgrade, upgrade
from shopcore.adapters.sqlalchemy.tables import metadata
from tests.helpers import PG_ADMIN_URL


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        found = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    return list(found)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names - {"alembic_version"}


def test_on_sqlite_head_matches_the_tables_and_base_removes_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    assert differences(url) == []
    downgrade(url, "base")
    assert tables(url) == set()
    upgrade(url)
    assert tables(url) == set(metadata.tables)


def test_on_postgresql_head_matches_the_tables_and_base_removes_them(
    postgres_url: str,
) -> None:
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"shopcore_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    try:
        upgrade(url)
        assert differences(url) == []
        downgrade(url, "base")
        assert tables(url) == set()
        upgrade(url)
        assert tables(url) == set(metadata.tables)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
