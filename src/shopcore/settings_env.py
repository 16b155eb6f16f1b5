"""Reading settings from the environment (and a `.env` file): parsing, the development key."""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dotenv import dotenv_values

from shopcore.settings_checks import (
    MIN_SECRET_BYTES,
    SUPPORTED_DATABASES,
    SettingsError,
    check_secret_key,
)

if TYPE_CHECKING:
    from shopcore.settings import Settings

# The logger's name from before this module was split out of shopcore.settings.
log = logging.getLogger("shopcore.settings")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be an integer, not {raw!r}") from exc


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, not {raw!r}") from exc


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The variable lowercased, one of `choices`; unset means the first."""
    raw = (env.get(name) or choices[0]).lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


def _default_secret(var_dir: Path) -> str:
    """The development key in `var_dir/secret_key`, made once, atomically.

    Workers starting together all read the same complete key: it is written to a private
    temporary file (mode 0600, exclusive create) and linked into place, which fails if
    another worker got there first, and then everyone reads the one that won.
    """
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        temporary = var_dir / f".secret_key.{os.getpid()}.{secrets.token_hex(8)}"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "w") as out:
                out.write(secrets.token_urlsafe(48))
                out.flush()
                os.fsync(out.fileno())
            os.link(temporary, path)
            log.warning("SHOPCORE_SECRET_KEY is not set; generated a development key in %s",
                        path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key.encode()) < MIN_SECRET_BYTES:
        raise SettingsError(f"{path} holds a key of {len(key.encode())} bytes, under "
                            f"{MIN_SECRET_BYTES}: delete it (a new one is generated) or set "
                            "SHOPCORE_SECRET_KEY")
    return key


def _database_url(env: Mapping[str, str], var_dir: Path) -> str:
    """SHOPCORE_DATABASE_URL with the psycopg driver named; SQLite under `var_dir` if unset."""
    database_url = (env.get("SHOPCORE_DATABASE_URL")
                    or f"sqlite:///{(var_dir / 'shopcore.sqlite3').as_posix()}")
    if database_url.startswith("postgres://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
    elif database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    if not database_url.startswith(SUPPORTED_DATABASES):
        raise SettingsError(
            f"SHOPCORE_DATABASE_URL must start with sqlite://, postgresql:// or memory://, "
            f"not {database_url.split(':', 1)[0]}://")
    return database_url


def settings_from_env(
    cls: type[Settings], environ: Mapping[str, str] | None, dotenv: str | None
) -> Settings:
    """Read SHOPCORE_* (and STRIPE_*) variables; the process environment wins over .env."""
    env: dict[str, str] = {}
    if dotenv and Path(dotenv).is_file():
        env.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
    env.update(os.environ if environ is None else environ)
    var_dir = Path(env.get("SHOPCORE_VAR_DIR") or "var")

    def opt(name: str) -> str | None:
        return env.get(name) or None

    settings = cls(
        database_url=_database_url(env, var_dir),
        redis_url=opt("SHOPCORE_REDIS_URL"),
        kafka_bootstrap_servers=opt("SHOPCORE_KAFKA_BOOTSTRAP_SERVERS"),
        opensearch_url=opt("SHOPCORE_OPENSEARCH_URL"),
        search_backend=(opt("SHOPCORE_SEARCH_BACKEND") or "").lower() or None,
        opensearch_index_prefix=opt("SHOPCORE_OPENSEARCH_INDEX_PREFIX") or "shopcore",
        opensearch_user=opt("SHOPCORE_OPENSEARCH_USER"),
        opensearch_password=opt("SHOPCORE_OPENSEARCH_PASSWORD"),
        stripe_secret_key=opt("STRIPE_SECRET_KEY"),
        stripe_api_base=opt("STRIPE_API_BASE"),
        stripe_webhook_secret=opt("STRIPE_WEBHOOK_SECRET"),
        stripe_timeout_seconds=_float(env, "STRIPE_TIMEOUT_SECONDS", 10.0),
        payment_provider="stripe" if opt("STRIPE_SECRET_KEY") else "simulator",
        simulator_store_path=str(var_dir / "simulator.sqlite3"),
        simulator_action_seconds=_float(env, "SHOPCORE_SIMULATOR_ACTION_SECONDS", 3.0),
        smtp_url=opt("SHOPCORE_SMTP_URL"),
        secret_key=opt("SHOPCORE_SECRET_KEY") or "",
        mail_sender=opt("SHOPCORE_MAIL_SENDER") or cls.mail_sender,
        currency=(opt("SHOPCORE_CURRENCY") or cls.currency).upper(),
        access_token_minutes=_int(env, "SHOPCORE_ACCESS_TOKEN_MINUTES", 15),
        refresh_token_days=_int(env, "SHOPCORE_REFRESH_TOKEN_DAYS", 7),
        reset_token_minutes=_int(env, "SHOPCORE_RESET_TOKEN_MINUTES", 60),
        bcrypt_rounds=_int(env, "SHOPCORE_BCRYPT_ROUNDS", 12),
        mailer="smtp" if opt("SHOPCORE_SMTP_URL") else "console",
        event_bus="kafka" if opt("SHOPCORE_KAFKA_BOOTSTRAP_SERVERS") else "inprocess",
        consumer_max_attempts=_int(env, "SHOPCORE_CONSUMER_MAX_ATTEMPTS", 3),
        cart_cache_ttl_seconds=_int(env, "SHOPCORE_CART_CACHE_TTL_SECONDS", 3600),
        catalog_cache=env.get("SHOPCORE_CATALOG_CACHE", "").strip().lower(),
        catalog_cache_ttl_seconds=_int(env, "SHOPCORE_CATALOG_CACHE_TTL_SECONDS", 300),
        order_expiry_minutes=_int(env, "SHOPCORE_ORDER_EXPIRY_MINUTES", 30),
        login_failures_per_address=_int(env, "SHOPCORE_LOGIN_FAILURES_PER_ADDRESS", 5),
        login_failures_per_user=_int(env, "SHOPCORE_LOGIN_FAILURES_PER_USER", 20),
        login_window_minutes=_int(env, "SHOPCORE_LOGIN_WINDOW_MINUTES", 15),
        max_body_bytes=_int(env, "SHOPCORE_MAX_BODY_BYTES", 1024 * 1024),
        public_url=opt("SHOPCORE_PUBLIC_URL"),
        trusted_hosts=tuple(h.strip() for h in (opt("SHOPCORE_TRUSTED_HOSTS") or "").split(",")
                            if h.strip()),
        proxies=_int(env, "SHOPCORE_PROXIES", 0),
        sql_echo=(opt("SHOPCORE_SQL_ECHO") or "").lower() in ("1", "true", "yes"),
        db_pool_size=_int(env, "SHOPCORE_DB_POOL_SIZE", 5),
        db_max_overflow=_int(env, "SHOPCORE_DB_MAX_OVERFLOW", 10),
        metrics=(opt("SHOPCORE_METRICS") or "").lower() in ("1", "on", "true", "yes"),
        log_format=_choice(env, "SHOPCORE_LOG_FORMAT", ("text", "json")),
        access_log=(opt("SHOPCORE_ACCESS_LOG") or "").lower() in ("1", "on", "true", "yes"),
        kafka_partitions=_int(env, "SHOPCORE_KAFKA_PARTITIONS", 3),
        kafka_replication_factor=_int(env, "SHOPCORE_KAFKA_REPLICATION_FACTOR", 1),
        idempotency_lease_seconds=_float(env, "SHOPCORE_IDEMPOTENCY_LEASE_SECONDS", 60.0),
    )
    settings = settings.with_(
        reset_requests_per_email=_int(env, "SHOPCORE_RESET_REQUESTS_PER_EMAIL", 5),
        reset_requests_per_client=_int(env, "SHOPCORE_RESET_REQUESTS_PER_CLIENT", 20),
        reset_requests_window_minutes=_int(env, "SHOPCORE_RESET_REQUESTS_WINDOW_MINUTES", 60),
    )
    settings = settings.with_(**_security_settings(env, var_dir, settings.secret_key))
    settings.check_search()
    settings.check_mail()
    return settings


def _security_settings(env: Mapping[str, str], var_dir: Path, given: str) -> dict[str, Any]:
    """SHOPCORE_ENV and the key: a development key is generated only in development."""
    environment = (env.get("SHOPCORE_ENV") or "development").strip().lower()
    values: dict[str, Any] = {
        "environment": environment,
        "account_cache_seconds": _float(env, "SHOPCORE_ACCOUNT_CACHE_SECONDS", 5.0),
        "login_failures_per_client": _int(env, "SHOPCORE_LOGIN_FAILURES_PER_CLIENT", 50),
        "max_pending_orders": _int(env, "SHOPCORE_MAX_PENDING_ORDERS", 5),
    }
    if not given and environment == "development":
        values.update(secret_key=_default_secret(var_dir), secret_key_generated=True)
    elif given and environment == "development" and len(given.encode()) < MIN_SECRET_BYTES:
        log.warning("SHOPCORE_SECRET_KEY is under %d bytes: fine for development only, "
                    "refused with SHOPCORE_ENV=production", MIN_SECRET_BYTES)
    elif given:
        key_file = var_dir / "secret_key"
        generated = key_file.is_file() and key_file.read_text().strip() == given
        values["secret_key_generated"] = generated
        check_secret_key(environment, given, generated)
    return values
