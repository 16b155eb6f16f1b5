"""Settings come from the environment, then a .env file, then defaults."""

from __future__ import annotations

import multiprocessing
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from shopcore.settings import Settings, SettingsError


def test_unset_means_the_embedded_default_sqlite_file_in_the_var_folder(tmp_path: Path) -> None:
    settings = Settings.from_env({"SHOPCORE_VAR_DIR": str(tmp_path)}, dotenv=None)
    assert settings.database_url == f"sqlite:///{tmp_path.as_posix()}/shopcore.sqlite3"
    assert settings.redis_url is None and settings.mailer == "console"
    assert (settings.access_token_minutes, settings.refresh_token_days) == (15, 7)


def test_a_generated_development_secret_is_kept_between_starts(tmp_path: Path) -> None:
    env = {"SHOPCORE_VAR_DIR": str(tmp_path)}
    first = Settings.from_env(env, dotenv=None).secret_key
    assert len(first) >= 32
    assert Settings.from_env(env, dotenv=None).secret_key == first


def test_postgres_urls_are_given_the_psycopg_3_driver() -> None:
    env = {"SHOPCORE_DATABASE_URL": "postgres://postgres@127.0.0.1:5432/shop",
           "SHOPCORE_SECRET_KEY": "k" * 40}
    assert Settings.from_env(env, dotenv=None).database_url == (
        "postgresql+psycopg://postgres@127.0.0.1:5432/shop")


def test_a_dotenv_file_is_read_and_the_environment_wins_over_it(tmp_path: Path) -> None:
    dotenv = tmp_path / ".env"
    dotenv.write_text("SHOPCORE_REDIS_URL=redis://127.0.0.1:6379/3\nSHOPCORE_CURRENCY=eur\n"
                      "SHOPCORE_SECRET_KEY=from-dotenv-0123456789abcdefghijklmnop\n")
    settings = Settings.from_env({"SHOPCORE_CURRENCY": "gbp"}, dotenv=str(dotenv))
    assert settings.redis_url == "redis://127.0.0.1:6379/3"
    assert settings.currency == "GBP"
    assert settings.secret_key == "from-dotenv-0123456789abcdefghijklmnop"


def test_an_smtp_url_switches_the_mailer_to_smtp() -> None:
    env = {"SHOPCORE_SMTP_URL": "smtp://mail.example:2525", "SHOPCORE_SECRET_KEY": "k" * 40}
    assert Settings.from_env(env, dotenv=None).mailer == "smtp"


def test_a_number_that_does_not_parse_names_its_variable() -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_ACCESS_TOKEN_MINUTES"):
        Settings.from_env({"SHOPCORE_ACCESS_TOKEN_MINUTES": "soon",
                           "SHOPCORE_SECRET_KEY": "k" * 40}, dotenv=None)


def test_a_database_url_of_an_unsupported_kind_is_refused_by_name() -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_DATABASE_URL"):
        Settings.from_env({"SHOPCORE_DATABASE_URL": "mysql://root@127.0.0.1/shop",
                           "SHOPCORE_SECRET_KEY": "k" * 40}, dotenv=None)


def _read_key(var_dir: str, start: Any, keys: Any) -> None:
    """One worker's boot; making a key takes a while, as on a busy machine, so boots overlap."""
    import secrets

    make = secrets.token_urlsafe

    def slowly(size: int) -> str:
        time.sleep(0.2)
        return make(size)

    secrets.token_urlsafe = slowly  # type: ignore[assignment]
    start.wait()
    keys.put(Settings.from_env({"SHOPCORE_VAR_DIR": var_dir}, dotenv=None).secret_key)


def test_workers_starting_together_on_a_fresh_var_dir_all_get_one_complete_key(
        tmp_path: Path) -> None:
    context = multiprocessing.get_context("fork")
    for attempt in range(2):
        var_dir = str(tmp_path / f"var{attempt}")
        start, keys = context.Barrier(8), context.Queue()
        workers = [context.Process(target=_read_key, args=(var_dir, start, keys))
                   for _ in range(8)]
        for worker in workers:
            worker.start()
        found = {keys.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert len(found) == 1 and len(found.pop()) >= 32
        key_file = Path(var_dir) / "secret_key"
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        assert [p.name for p in Path(var_dir).iterdir()] == ["secret_key"]


def test_an_empty_or_short_key_file_is_refused_never_used(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(SettingsError, match="secret_key"):
        Settings.from_env({"SHOPCORE_VAR_DIR": str(tmp_path)}, dotenv=None)
    (tmp_path / "secret_key").write_text("short\n")
    with pytest.raises(SettingsError, match="secret_key"):
        Settings.from_env({"SHOPCORE_VAR_DIR": str(tmp_path)}, dotenv=None)


def test_shopcore_env_defaults_to_development_and_is_read_lowercased(tmp_path: Path) -> None:
    env = {"SHOPCORE_VAR_DIR": str(tmp_path), "SHOPCORE_SECRET_KEY": "k" * 40,
           "SHOPCORE_PUBLIC_URL": "https://shop.example.com",
           "SHOPCORE_SMTP_URL": "smtp://mail.example.com"}
    development = Settings.from_env(env, dotenv=None)
    assert (development.environment, development.production) == ("development", False)
    production = Settings.from_env({**env, "SHOPCORE_ENV": " PRODUCTION "}, dotenv=None)
    assert (production.environment, production.production) == ("production", True)


def test_outside_development_a_short_key_is_refused_by_name_and_none_is_generated(
        tmp_path: Path) -> None:
    mail = {"SHOPCORE_VAR_DIR": str(tmp_path), "SHOPCORE_PUBLIC_URL": "https://shop.example.com",
            "SHOPCORE_SMTP_URL": "smtp://mail.example.com"}
    for environment in ("production", "staging"):
        with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
            Settings.from_env({**mail, "SHOPCORE_ENV": environment,
                               "SHOPCORE_SECRET_KEY": "k" * 31}, dotenv=None)
        unset = Settings.from_env({**mail, "SHOPCORE_ENV": environment}, dotenv=None)
        with pytest.raises(SettingsError, match="SHOPCORE_SECRET_KEY"):
            unset.check_secret_key()
    assert not (tmp_path / "secret_key").exists()


def test_the_simulator_webhook_secret_and_shop_id_still_derive_from_the_secret_key() -> None:
    one = Settings(secret_key="k" * 40)
    assert one.webhook_secret == Settings(secret_key="k" * 40).webhook_secret
    assert one.webhook_secret != Settings(secret_key="j" * 40).webhook_secret
    assert one.shop_id == Settings(secret_key="k" * 40).shop_id
