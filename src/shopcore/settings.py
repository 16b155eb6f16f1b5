"""Settings from the environment (and a `.env` file when present)."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from dotenv import dotenv_values

log = logging.getLogger(__name__)
MEMORY = "memory://"
SUPPORTED_DATABASES = ("sqlite://", "sqlite+pysqlite://", "postgresql+psycopg://", MEMORY)
SEARCH_BACKENDS = ("memory", "sqlite", "postgres", "opensearch")


class SettingsError(ValueError):
    """A variable is set to something shopcore cannot use."""


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


def _default_secret(var_dir: Path) -> str:
    path = var_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    log.warning("SHOPCORE_SECRET_KEY is not set; generated a development key in %s", path)
    return key


@dataclass(frozen=True)
class Settings:
    """Everything that picks adapters and tunes them; unset means the embedded default."""

    database_url: str = MEMORY
    redis_url: str | None = None
    kafka_bootstrap_servers: str | None = None
    opensearch_url: str | None = None
    search_backend: str | None = None
    opensearch_index_prefix: str = "shopcore"
    opensearch_user: str | None = None
    opensearch_password: str | None = field(default=None, repr=False)
    stripe_secret_key: str | None = None
    stripe_api_base: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_timeout_seconds: float = 10.0
    payment_provider: str = "simulator"
    simulator_store_path: str | None = None
    simulator_action_seconds: float = 3.0
    smtp_url: str | None = None
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48), repr=False)
    mail_sender: str = "shop@example.com"
    currency: str = "USD"
    access_token_minutes: int = 15
    refresh_token_days: int = 7
    reset_token_minutes: int = 60
    bcrypt_rounds: int = 12
    password_hasher: str = "bcrypt"  # noqa: S105 - the name of an adapter, not a password
    mailer: str = "console"
    event_bus: str = "inprocess"
    relay_interval_seconds: float = 0.5
    cart_cache_ttl_seconds: int = 3600
    # The catalog read cache: "" picks by the deployment (see catalog_cache_store).
    catalog_cache: str = ""
    catalog_cache_ttl_seconds: int = 300
    order_expiry_minutes: int = 30
    consumer_max_attempts: int = 3
    login_failures_per_address: int = 5
    login_failures_per_user: int = 20
    login_window_minutes: int = 15
    max_body_bytes: int = 1024 * 1024
    public_url: str | None = None
    trusted_hosts: tuple[str, ...] = ()
    proxies: int = 0
    sql_echo: bool = False

    @property
    def in_memory(self) -> bool:
        return self.database_url == MEMORY

    @property
    def storage(self) -> str:
        """Where the unit of work keeps the shop: 'sql' or 'memory'."""
        return "memory" if self.in_memory else "sql"

    @property
    def database_search(self) -> str:
        """The search engine of the database itself: 'sqlite', 'postgres' or 'memory'."""
        if self.in_memory:
            return "memory"
        return "postgres" if self.database_url.startswith("postgresql") else "sqlite"

    @property
    def search_engine(self) -> str:
        """SHOPCORE_SEARCH_BACKEND, else OpenSearch when its URL is set, else the database's."""
        if self.search_backend:
            return self.search_backend
        return "opensearch" if self.opensearch_url else self.database_search

    @property
    def search_fallback(self) -> str:
        """What answers while OpenSearch is down: the database's engine; 'none' otherwise."""
        return self.database_search if self.search_engine == "opensearch" else "none"

    def check_search(self) -> None:
        """A known SHOPCORE_SEARCH_BACKEND, and the database or URL that it needs."""
        engine = self.search_engine
        if engine not in SEARCH_BACKENDS:
            raise SettingsError(f"SHOPCORE_SEARCH_BACKEND must be one of "
                                f"{', '.join(SEARCH_BACKENDS)}, not {engine!r}")
        if engine in ("sqlite", "postgres") and engine != self.database_search:
            raise SettingsError(f"SHOPCORE_SEARCH_BACKEND={engine} needs a {engine} "
                                f"SHOPCORE_DATABASE_URL")
        if engine == "opensearch" and not self.opensearch_url:
            raise SettingsError("SHOPCORE_SEARCH_BACKEND=opensearch needs "
                                "SHOPCORE_OPENSEARCH_URL")

    @property
    def cart_cache_store(self) -> str:
        """Where carts are cached: 'redis' when SHOPCORE_REDIS_URL is set, else 'memory'."""
        return "redis" if self.redis_url else "memory"

    @property
    def catalog_cache_store(self) -> str:
        """Catalog answers: 'redis' with SHOPCORE_REDIS_URL set; in process otherwise, under
        SQLite's data_version on SQLite ('sqlite'); 'off' on PostgreSQL, where the workers
        could not tell each other of changes."""
        if self.catalog_cache not in ("", "redis", "memory", "off") or (
                self.catalog_cache == "redis" and not self.redis_url):
            raise SettingsError("SHOPCORE_CATALOG_CACHE must be memory, off, or redis with "
                                f"SHOPCORE_REDIS_URL set, not {self.catalog_cache!r}")
        if self.catalog_cache:
            return self.catalog_cache
        if self.redis_url:
            return "redis"
        return {"postgres": "off"}.get(self.database_search, self.database_search)

    @property
    def throttle_store(self) -> str:
        """Where failed logins are counted: 'redis' with SHOPCORE_REDIS_URL set, else 'memory'."""
        return "redis" if self.redis_url else "memory"

    @property
    def webhook_secret(self) -> str | None:
        """STRIPE_WEBHOOK_SECRET; for the simulator, when unset, one derived from the secret key.

        The simulator signs the webhooks it sends the shop with it, so they verify.
        """
        if self.stripe_webhook_secret or self.payment_provider != "simulator":
            return self.stripe_webhook_secret
        digest = hmac.new(self.secret_key.encode(), b"shopcore simulator webhooks",
                          hashlib.sha256).hexdigest()
        return f"whsec_{digest[:32]}"

    @property
    def shop_id(self) -> str:
        """This shop among others on one Stripe account (each developer's, staging, live).

        Stripe's idempotency keys and the metadata look-up are scoped by it, so two shops'
        order 1 never meet. Derived from the secret key: stable while the key is.
        """
        digest = hmac.new(self.secret_key.encode(), b"shopcore shop id", hashlib.sha256)
        return digest.hexdigest()[:12]

    @property
    def webhook_url(self) -> str | None:
        """Where the provider (the simulator, here) sends webhooks: SHOPCORE_PUBLIC_URL's."""
        if not self.public_url:
            return None
        return self.public_url.rstrip("/") + "/api/payments/webhook/"

    def with_(self, **changes: Any) -> Settings:
        return replace(self, **changes)

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, dotenv: str | None = ".env"
    ) -> Settings:
        """Read SHOPCORE_* (and STRIPE_*) variables; the process environment wins over .env."""
        env: dict[str, str] = {}
        if dotenv and Path(dotenv).is_file():
            env.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        env.update(os.environ if environ is None else environ)
        var_dir = Path(env.get("SHOPCORE_VAR_DIR") or "var")

        def opt(name: str) -> str | None:
            return env.get(name) or None

        database_url = (opt("SHOPCORE_DATABASE_URL")
                        or f"sqlite:///{(var_dir / 'shopcore.sqlite3').as_posix()}")
        if database_url.startswith("postgres://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgres://"):]
        elif database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
        if not database_url.startswith(SUPPORTED_DATABASES):
            raise SettingsError(
                f"SHOPCORE_DATABASE_URL must start with sqlite://, postgresql:// or memory://, "
                f"not {database_url.split(':', 1)[0]}://")
        settings = cls(
            database_url=database_url,
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
            simulator_store_path=str(var_dir / "simulator.json"),
            simulator_action_seconds=_float(env, "SHOPCORE_SIMULATOR_ACTION_SECONDS", 3.0),
            smtp_url=opt("SHOPCORE_SMTP_URL"),
            secret_key=opt("SHOPCORE_SECRET_KEY") or _default_secret(var_dir),
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
        )
        settings.check_search()
        return settings
