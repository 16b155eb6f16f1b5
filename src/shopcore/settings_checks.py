"""What settings must hold together: the error, the known values, and the checks at start."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shopcore.settings import Settings

MEMORY = "memory://"
SUPPORTED_DATABASES = ("sqlite://", "sqlite+pysqlite://", "postgresql+psycopg://", MEMORY)
SEARCH_BACKENDS = ("memory", "sqlite", "postgres", "opensearch")
MIN_SECRET_BYTES = 32


class SettingsError(ValueError):
    """A variable is set to something shopcore cannot use."""


def check_mail(settings: Settings) -> None:
    """A usable SMTP URL; production mails real links, so it needs both of these set."""
    if settings.smtp_url:
        from shopcore.adapters.mail.mailers import smtp_security

        try:
            smtp_security(settings.smtp_url)
        except ValueError as exc:
            raise SettingsError(str(exc)) from exc
    if not settings.production:
        return
    if not settings.public_url:
        raise SettingsError("SHOPCORE_ENV=production needs SHOPCORE_PUBLIC_URL, the base "
                            "of the links sent by mail (e.g. https://shop.example.com)")
    if settings.mailer == "console":
        raise SettingsError("SHOPCORE_ENV=production needs SHOPCORE_SMTP_URL: the console "
                            "mailer would print reset links in the log")


def check_secret_key(environment: str, secret_key: str, generated: bool) -> None:
    """Outside development: a SHOPCORE_SECRET_KEY of 32 bytes or more, never a generated one."""
    if environment == "development":
        return
    if generated or not secret_key:
        raise SettingsError(f"SHOPCORE_SECRET_KEY must be set when SHOPCORE_ENV="
                            f"{environment}: a random key of {MIN_SECRET_BYTES} bytes "
                            "or more, the same for every process")
    if len(secret_key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"SHOPCORE_SECRET_KEY is {len(secret_key.encode())} "
                            f"bytes; SHOPCORE_ENV={environment} needs "
                            f"{MIN_SECRET_BYTES} or more")


def check_search(settings: Settings) -> None:
    """A known SHOPCORE_SEARCH_BACKEND, and the database or URL that it needs."""
    engine = settings.search_engine
    if engine not in SEARCH_BACKENDS:
        raise SettingsError(f"SHOPCORE_SEARCH_BACKEND must be one of "
                            f"{', '.join(SEARCH_BACKENDS)}, not {engine!r}")
    if engine in ("sqlite", "postgres") and engine != settings.database_search:
        raise SettingsError(f"SHOPCORE_SEARCH_BACKEND={engine} needs a {engine} "
                            f"SHOPCORE_DATABASE_URL")
    if engine == "opensearch" and not settings.opensearch_url:
        raise SettingsError("SHOPCORE_SEARCH_BACKEND=opensearch needs "
                            "SHOPCORE_OPENSEARCH_URL")
