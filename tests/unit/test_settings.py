"""Settings come from the environment, then a .env file, then defaults."""

from __future__ import annotations

from pathlib import Path

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
