"""Settings for mail and mailed links: production needs a public URL and a real mailer."""

from __future__ import annotations

import pytest

from shopcore.settings import Settings, SettingsError

BASE = {"SHOPCORE_SECRET_KEY": "k" * 48, "SHOPCORE_DATABASE_URL": "memory://"}


def from_env(**env: str) -> Settings:
    return Settings.from_env({**BASE, **env}, dotenv=None)


def test_production_refuses_to_start_without_a_public_url() -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_PUBLIC_URL"):
        from_env(SHOPCORE_ENV="production", SHOPCORE_SMTP_URL="smtps://mail.example.com")


def test_production_refuses_the_console_mailer() -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_SMTP_URL"):
        from_env(SHOPCORE_ENV="Production", SHOPCORE_PUBLIC_URL="https://shop.example.com")


def test_production_starts_with_both_and_links_point_at_the_public_url() -> None:
    settings = from_env(SHOPCORE_ENV="PRODUCTION", SHOPCORE_PUBLIC_URL="https://shop.example.com/",
                        SHOPCORE_SMTP_URL="smtp://mail.example.com")
    assert (settings.environment, settings.production) == ("production", True)
    assert settings.link_base == "https://shop.example.com"


def test_development_links_default_to_the_development_server_never_a_request_host() -> None:
    settings = from_env()
    assert (settings.environment, settings.production) == ("development", False)
    assert settings.link_base == "http://127.0.0.1:8000"


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://u:p@mail.example.com?tls=off"])
def test_an_unusable_smtp_url_is_refused_at_start(url: str) -> None:
    with pytest.raises(SettingsError, match="SHOPCORE_SMTP_URL"):
        from_env(SHOPCORE_SMTP_URL=url)


def test_reset_request_limits_come_from_the_environment() -> None:
    settings = from_env(SHOPCORE_RESET_REQUESTS_PER_EMAIL="2",
                        SHOPCORE_RESET_REQUESTS_PER_CLIENT="9",
                        SHOPCORE_RESET_REQUESTS_WINDOW_MINUTES="30")
    assert (settings.reset_requests_per_email, settings.reset_requests_per_client,
            settings.reset_requests_window_minutes) == (2, 9, 30)


def test_an_app_built_from_production_settings_refuses_the_console_mailer_too() -> None:
    from shopcore import App

    settings = Settings(environment="production", public_url="https://shop.example.com",
                        mailer="console", secret_key="k" * 48)
    with pytest.raises(SettingsError, match="SHOPCORE_SMTP_URL"):
        App(settings)
