"""The migrations build exactly the schema the code declares, and undo cleanly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    JSON,
    ColumnClause,
    Integer,
    column,
    create_engine,
    inspect,
    select,
    table,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from shopcore.adapters.sqlalchemy.migrate import downgrade, upgrade
from shopcore.adapters.sqlalchemy.orders import _COUNT
from shopcore.adapters.sqlalchemy.tables import metadata
from shopcore.adapters.sqlsearch.schema import SEARCH_ARTIFACTS
from tests.helpers import PG_ADMIN_URL


def declared(_object: object, name: str | None, _type: str, _reflected: bool,
             _compare_to: object) -> bool:
    """What the tables declare: search's own index, triggers and columns are left out."""
    return name not in SEARCH_ARTIFACTS


def differences(url: str) -> list[object]:
    engine = create_engine(url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": declared})
        found = compare_metadata(context, metadata)
    engine.dispose()
    return list(found)


def tables(url: str) -> set[str]:
    engine = create_engine(url)
    names = set(inspect(engine).get_table_names())
    engine.dispose()
    return names - {"alembic_version"}


@contextmanager
def scratch_postgres() -> Iterator[str]:
    """The URL of a new, empty PostgreSQL database, dropped afterwards."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"shopcore_migrations_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_on_sqlite_head_matches_the_tables_and_base_removes_them(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    upgrade(url)
    assert differences(url) == []
    downgrade(url, "base")
    assert tables(url) == set()
    upgrade(url)
    assert tables(url) - SEARCH_ARTIFACTS == set(metadata.tables)


def test_on_postgresql_head_matches_the_tables_and_base_removes_them(
    postgres_url: str,
) -> None:
    with scratch_postgres() as url:
        upgrade(url)
        assert differences(url) == []
        downgrade(url, "base")
        assert tables(url) == set()
        upgrade(url)
        assert tables(url) - SEARCH_ARTIFACTS == set(metadata.tables)


@pytest.fixture(params=["sqlite", "postgres"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'm.sqlite3'}"
        return
    request.getfixturevalue("postgres_url")
    with scratch_postgres() as url:
        yield url


def idempotency_rows(url: str, *columns: ColumnClause[object]) -> dict[str, tuple[object, ...]]:
    keys = table("idempotency_keys", column("key"), *columns)
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(select(keys)).all()
    engine.dispose()
    return {row[0]: tuple(row[1:]) for row in rows}


def test_0005_keeps_each_stored_answer_as_a_replay_and_gives_it_back_on_downgrade(
    empty_database_url: str,
) -> None:
    url, at = empty_database_url, datetime(2026, 3, 1, tzinfo=UTC)
    upgrade(url, "0004")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO idempotency_keys (user_id, endpoint, key, fingerprint, status, body,"
            " created_at) VALUES (1, 'orders.create', 'done', 'f', 201, :body, :at),"
            " (1, 'orders.create', 'running', 'f', NULL, NULL, :at)"),
            {"body": '{"id": 7}', "at": at})
    engine.dispose()

    upgrade(url)
    assert idempotency_rows(url, column("replay", JSON)) == {
        "done": ({"status": 201, "body": {"id": 7}},), "running": (None,)}

    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO idempotency_keys (user_id, endpoint, key, fingerprint, replay,"
            " created_at) VALUES (1, 'other.endpoint', 'opaque', 'f', :replay, :at)"),
            {"replay": '["not", "http"]', "at": at})
    engine.dispose()
    downgrade(url, "0004")
    assert idempotency_rows(url, column("status", Integer), column("body", JSON)) == {
        "done": (201, {"id": 7}), "running": (None, None)}


def user_rows(url: str, *columns: str) -> list[tuple[object, ...]]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(f"SELECT {', '.join(columns)} FROM users ORDER BY id"))
        found = [tuple(row) for row in rows]
    engine.dispose()
    return found


def test_0008_gives_existing_users_their_look_alike_keys_and_keeps_them_on_downgrade(
    empty_database_url: str,
) -> None:
    url, at = empty_database_url, datetime(2026, 3, 1, tzinfo=UTC)
    upgrade(url, "0007")
    engine = create_engine(url)
    with engine.begin() as connection:
        for name in ("alice", "\u0410LICE", "bob"):
            connection.execute(text(
                "INSERT INTO users (username, email, email_key, password_hash, date_joined)"
                " VALUES (:name, :email, :email, 'x', :at)"),
                {"name": name, "email": f"{len(name)}{name}@example.com".lower(), "at": at})
    engine.dispose()

    upgrade(url)
    assert user_rows(url, "username", "username_key", "tokens_valid_after") == [
        ("alice", "alice", None), ("\u0410LICE", "alice#2", None), ("bob", "bob", None)]
    engine = create_engine(url)
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (username, username_key, email, email_key, password_hash,"
            " date_joined) VALUES ('Bob', 'bob', 'b@example.com', 'b@example.com', 'x', :at)"),
            {"at": at})
    engine.dispose()

    downgrade(url, "0007")
    assert user_rows(url, "username") == [("alice",), ("\u0410LICE",), ("bob",)]


def upgrade_and_run(url: str, revision: str, *statements: Any) -> None:
    """Migrate to `revision`, then run `statements` in one transaction."""
    upgrade(url, revision)
    engine = create_engine(url)
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(statement)
    engine.dispose()


def hot_stock_update(url: str) -> bool:
    """Whether a stock update of the first product, on a packed first page, was HOT."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(
            "UPDATE products SET stock = stock - 1 WHERE id = (SELECT min(id) FROM products)"))
        hot = connection.execute(text(
            "SELECT pg_stat_get_xact_tuples_hot_updated('products'::regclass)")).scalar_one()
    engine.dispose()
    return bool(hot == 1)


def fillfactors(url: str) -> dict[str, str]:
    engine = create_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT relname, option FROM pg_class, unnest(reloptions) AS option"
            " WHERE relkind = 'r' AND option LIKE 'fillfactor=%'"))
        found = {name: option.partition("=")[2] for name, option in rows}
    engine.dispose()
    return found


def test_0010_leaves_room_on_each_page_so_a_stock_update_touches_no_index(
    postgres_url: str,
) -> None:
    """Without the room a stock update rewrites all eight indexes of products (two GIN)."""
    fill = text(
        "INSERT INTO products (name, slug, description, price_cents, currency, category_id,"
        " stock, created_at, updated_at) SELECT 'Product ' || n, :tag || '-' || n,"
        " repeat('words of a description ', 8), 100, 'USD', 1, 50, now(), now()"
        " FROM generate_series(1, 300) AS n")
    with scratch_postgres() as url:
        for revision in ("0009", "head"):
            upgrade_and_run(url, revision,
                            text("TRUNCATE products, categories RESTART IDENTITY CASCADE"),
                            text("INSERT INTO categories (name, name_key, slug)"
                                 " VALUES ('c', 'c', 'c')"),
                            fill.bindparams(tag=revision))
            assert hot_stock_update(url) == (revision == "head"), revision
        assert fillfactors(url) == {"products": "80", "carts": "70", "cart_items": "80"}
        downgrade(url, "0009")
        assert fillfactors(url) == {}


def pending_count_discards(url: str) -> int:
    """Orders the checkout's pending-order count of user 1 read only to throw away."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = connection.exec_driver_sql(
            f"EXPLAIN (ANALYZE, FORMAT JSON) {_COUNT.plan(connection.dialect).sql}",
            {"user_id": 1, "status": "pending"}).scalar_one()
    engine.dispose()

    def discarded(node: dict[str, Any]) -> int:
        own = node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)
        return int(own) + sum(discarded(child) for child in node.get("Plans", []))

    return discarded(plan[0]["Plan"])


def test_0011_a_checkout_counts_the_pending_orders_without_reading_the_whole_history(
    postgres_url: str,
) -> None:
    """Before 0011 the count read every order of the user and kept the pending ones."""
    # User 1 holds 2 pending orders in a history of 2,000; 199 other users hold 5 each.
    fill = text(
        "INSERT INTO orders (user_id, status, currency, total_cents, created_at)"
        " SELECT 1, CASE WHEN n <= 2 THEN 'pending' ELSE 'paid' END, 'USD', 100, now()"
        " FROM generate_series(1, 2000) AS n UNION ALL"
        " SELECT u, CASE WHEN n <= 5 THEN 'pending' ELSE 'paid' END, 'USD', 100, now()"
        " FROM generate_series(2, 200) AS u, generate_series(1, 10) AS n")
    users = text(
        "INSERT INTO users (username, username_key, email, email_key, password_hash,"
        " first_name, last_name, is_staff, is_active, date_joined) SELECT 'u' || n, 'u' || n,"
        " n || '@x.io', n || '@x.io', 'x', '', '', false, true, now()"
        " FROM generate_series(1, 200) AS n")
    with scratch_postgres() as url:
        for revision in ("0010", "head"):
            upgrade_and_run(url, revision,
                            text("TRUNCATE orders, users RESTART IDENTITY CASCADE"), users, fill,
                            text("ANALYZE orders"))
            discards = pending_count_discards(url)
            assert (discards == 0) == (revision == "head"), (revision, discards)
