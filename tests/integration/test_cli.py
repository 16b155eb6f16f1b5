"""The `shopcore` command on a temporary SQLite file, through click's CliRunner."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, select

from shopcore import App
from shopcore.adapters.sqlalchemy.migrate import head
from shopcore.adapters.sqlalchemy.tables import categories, products, users
from shopcore.domain.errors import AuthenticationFailed
from shopcore.ports.security import TokenKind
from shopcore.settings import Settings
from tests.helpers import shop_of

ADMIN = ["--username", "boss", "--email", "boss@example.com", "--password", "boss-pass-123"]
COMMANDS = ["check-config", "create-admin", "consume-events", "db", "events", "orders", "payments",
            "populate-data",
            "relay-outbox", "search-index", "serve"]


def rows(env: dict[str, str], table: Any, *columns: str) -> list[tuple[Any, ...]]:
    engine = create_engine(env["SHOPCORE_DATABASE_URL"])
    with engine.connect() as connection:
        found = connection.execute(select(*(table.c[c] for c in columns))
                                   .order_by(table.c.id)).all()
    engine.dispose()
    return [tuple(r) for r in found]


def catalog(env: dict[str, str]) -> list[tuple[Any, ...]]:
    return rows(env, products, "name", "slug", "description", "price_cents", "stock",
                "category_id")


def listed_commands(help_text: str) -> list[str]:
    """The command names of a click group's --help."""
    section = help_text.split("Commands:\n", 1)[1]
    return sorted(line.split()[0] for line in section.splitlines() if line.startswith("  "))


def test_help_lists_every_command(shopcore: Any) -> None:
    result = shopcore("--help")
    assert result.exit_code == 0
    assert listed_commands(result.output) == sorted(COMMANDS)
    db_help = shopcore("db", "--help").output
    for command in ("upgrade", "current", "downgrade"):
        assert f"  {command} " in db_help


def test_the_console_script_runs_as_a_module() -> None:
    result = subprocess.run([sys.executable, "-m", "shopcore.entrypoints.cli", "--version"],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("shopcore, version ")


def test_the_script_and_both_modules_list_the_same_commands() -> None:
    ways = {"script": [str(Path(sys.executable).with_name("shopcore"))],
            "package": [sys.executable, "-m", "shopcore"],
            "cli package": [sys.executable, "-m", "shopcore.entrypoints.cli"]}
    listed = {}
    for way, argv in ways.items():
        result = subprocess.run([*argv, "--help"], capture_output=True, text=True, timeout=60,
                                check=False)
        assert result.returncode == 0, (way, result.stderr)
        listed[way] = listed_commands(result.stdout)
    assert listed == dict.fromkeys(ways, sorted(COMMANDS))


def test_db_upgrade_creates_the_tables(shopcore: Any, env: dict[str, str]) -> None:
    result = shopcore("db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"is at revision {head()}" in result.output
    engine = create_engine(env["SHOPCORE_DATABASE_URL"])
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert {"users", "refresh_sessions", "categories", "products", "outbox", "processed_events",
            "alembic_version"} <= tables
    assert shopcore("db", "current").output.strip() == f"{head()} (head)"


def test_db_downgrade_to_base_drops_the_tables(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("db", "downgrade", "base")
    assert result.exit_code == 0, result.output
    assert "run `shopcore db upgrade`" in shopcore("db", "current").output


def test_db_upgrade_refuses_the_in_memory_database(shopcore: Any) -> None:
    result = shopcore("db", "upgrade", SHOPCORE_DATABASE_URL="memory://")
    assert result.exit_code == 1
    assert "SHOPCORE_DATABASE_URL is memory://" in result.output


def test_commands_on_an_unmigrated_database_say_to_upgrade(shopcore: Any) -> None:
    result = shopcore("populate-data", "--products", "1")
    assert result.exit_code == 1
    assert "`shopcore db upgrade` has run" in result.output


def test_populate_data_creates_what_it_says(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("populate-data", "--users", "3", "--categories", "4", "--products", "120")
    assert result.exit_code == 0, result.output
    assert "created 3 users, 4 categories, 120 products" in result.output
    names = [r[0] for r in rows(migrated, categories, "name")]
    assert len(names) == 4
    assert all(name == name.capitalize() for name in names)
    assert len({name.casefold() for name in names}) == 4
    stored = catalog(migrated)
    assert len(stored) == 120
    assert all(100 <= r[3] <= 100_000 and 1_000 <= r[4] <= 10_000 for r in stored)
    assert len({r[1] for r in stored}) == 120


def test_populate_data_is_the_same_for_the_same_seed(shopcore: Any, tmp_path: Path) -> None:
    def populated(name: str, seed: str) -> list[tuple[Any, ...]]:
        url = f"sqlite:///{tmp_path / name}"
        assert shopcore("db", "upgrade", SHOPCORE_DATABASE_URL=url).exit_code == 0
        result = shopcore("populate-data", "--users", "2", "--categories", "3", "--products",
                          "50", "--seed", seed, SHOPCORE_DATABASE_URL=url)
        assert result.exit_code == 0, result.output
        env = {"SHOPCORE_DATABASE_URL": url}
        return (rows(env, users, "username", "email") + rows(env, categories, "name", "slug")
                + catalog(env))

    first = populated("a.sqlite3", "7")
    assert populated("b.sqlite3", "7") == first
    assert populated("c.sqlite3", "8") != first


def test_populate_data_if_empty_does_nothing_the_second_time(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    assert shopcore("populate-data", "--if-empty", "--users", "1", "--categories", "2",
                    "--products", "30").exit_code == 0
    before = (catalog(migrated), rows(migrated, categories, "name"))
    result = shopcore("populate-data", "--if-empty", "--users", "1", "--categories", "2",
                      "--products", "30")
    assert result.exit_code == 0, result.output
    assert "already has 30 products; nothing to do" in result.output
    assert (catalog(migrated), rows(migrated, categories, "name")) == before


def test_populating_again_keeps_slugs_unique(shopcore: Any, migrated: dict[str, str]) -> None:
    assert shopcore("populate-data", "--users", "0", "--categories", "1", "--products", "0",
                    "--seed", "1").exit_code == 0
    for _ in range(2):
        result = shopcore("populate-data", "--users", "0", "--categories", "0",
                          "--products", "40")
        assert result.exit_code == 0, result.output
    slugs = [r[1] for r in catalog(migrated)]
    assert len(slugs) == 80
    assert len(set(slugs)) == 80
    assert slugs[40] == f"{slugs[0]}-2"


def test_populated_users_log_in_with_the_shared_password(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("populate-data", "--users", "2", "--categories", "1", "--products", "0",
                      "--password", "demo-pass-99")
    assert result.exit_code == 0, result.output
    hashes = {r[1] for r in rows(migrated, users, "username", "password_hash")}
    assert len(hashes) == 1
    username = rows(migrated, users, "username")[1][0]
    with App(Settings.from_env(migrated)) as shop:
        assert shop.log_in(username=username, password="demo-pass-99", address="127.0.0.1")


def test_populated_users_get_a_random_password_unless_one_is_asked_for(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("populate-data", "--users", "2", "--categories", "1", "--products", "0")
    assert result.exit_code == 0, result.output
    assert "random" in result.output
    username = rows(migrated, users, "username")[0][0]
    with App(Settings.from_env(migrated)) as shop:
        for guess in ("password123", "demo-pass-99", username):
            with pytest.raises(AuthenticationFailed):
                shop.log_in(username=username, password=guess, address="127.0.0.1")
    asked = shopcore("populate-data", "--users", "3", "--categories", "0", "--products", "0",
                     "--seed", "7", "--user-password", "demo-pass-99")
    assert asked.exit_code == 0, asked.output
    newest = rows(migrated, users, "username")[-1][0]
    with App(Settings.from_env(migrated)) as shop:
        assert shop.log_in(username=newest, password="demo-pass-99", address="127.0.0.1")


def test_populate_data_rejects_a_weak_password(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("populate-data", "--users", "1", "--password", "12345678")
    assert result.exit_code == 1
    assert "password: This password is entirely numeric." in result.output


def test_create_admin_with_flags_makes_a_staff_user_who_can_log_in(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("create-admin", *ADMIN)
    assert result.exit_code == 0, result.output
    assert "created staff user 'boss'" in result.output
    with App(Settings.from_env(migrated)) as shop:
        pair = shop.log_in(username="boss", password="boss-pass-123", address="127.0.0.1")
        claims = shop.container.adapters.tokens().verify(pair.access, TokenKind.ACCESS)
    assert claims.is_staff


def test_the_created_admin_logs_in_through_the_http_api(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    from shopcore.entrypoints.http import create_app

    assert shopcore("create-admin", *ADMIN).exit_code == 0
    app = create_app(Settings.from_env(migrated))
    if not any(rule.rule == "/api/users/token/" for rule in app.url_map.iter_rules()):
        pytest.skip("the users resource has no /api/users/token/ route yet")
    client = app.test_client()
    response = client.post("/api/users/token/",
                           json={"username": "boss", "password": "boss-pass-123"})
    access = response.get_json()["access"]
    profile = client.get("/api/users/profile/", headers={"Authorization": f"Bearer {access}"})
    shop_of(app).close()
    assert response.status_code == 200
    assert profile.get_json()["is_staff"] is True


def test_create_admin_without_a_terminal_names_every_missing_value(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    result = shopcore("create-admin", "--username", "boss")
    assert result.exit_code == 2
    assert "missing --email, --password" in result.output
    assert "stdin is not a terminal" in result.output


def test_create_admin_prompts_when_interactive(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("create-admin", "--interactive",
                      input="boss\nboss@example.com\nboss-pass-123\nboss-pass-123\n")
    assert result.exit_code == 0, result.output
    assert "created staff user 'boss'" in result.output
    assert "boss-pass-123" not in result.output


def test_create_admin_if_missing_leaves_an_existing_user_alone(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    assert shopcore("create-admin", *ADMIN).exit_code == 0
    again = shopcore("create-admin", "--if-missing", "--username", "boss")
    assert again.exit_code == 0, again.output
    assert "already exists; nothing to do" in again.output
    assert len(rows(migrated, users, "username")) == 1


def test_create_admin_twice_without_if_missing_fails(
    shopcore: Any, migrated: dict[str, str]
) -> None:
    assert shopcore("create-admin", *ADMIN).exit_code == 0
    result = shopcore("create-admin", *ADMIN)
    assert result.exit_code == 1
    assert "username: A user with that username already exists." in result.output


def test_create_admin_reports_every_invalid_value(shopcore: Any, migrated: dict[str, str]) -> None:
    result = shopcore("create-admin", "--username", "x", "--email", "nope", "--password", "short")
    assert result.exit_code == 1
    for field in ("username:", "email:", "password:"):
        assert field in result.output
