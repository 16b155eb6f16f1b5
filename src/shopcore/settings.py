"""Settings: the dataclass that picks adapters and tunes them, and what follows from it."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from shopcore.settings_checks import (
    MEMORY,
    MIN_SECRET_BYTES,
    SEARCH_BACKENDS,
    SUPPORTED_DATABASES,
    SettingsError,
    check_mail,
    check_search,
    check_secret_key,
)
from shopcore.settings_env import settings_from_env

__all__ = ["DEVELOPMENT_URL", "MEMORY", "MIN_SECRET_BYTES", "SEARCH_BACKENDS",
           "SUPPORTED_DATABASES", "Settings", "SettingsError"]

DEVELOPMENT_URL = "http://127.0.0.1:8000"


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
    # Production (issue 11): pools, metrics, logs, Kafka topics.
    db_pool_size: int = 5
    db_max_overflow: int = 10
    metrics: bool = False
    log_format: str = "text"
    access_log: bool = False
    kafka_partitions: int = 3
    kafka_replication_factor: int = 1
    environment: str = "development"
    # Mail and reset links (issue 10, findings 2 and 6).
    reset_requests_per_email: int = 5
    reset_requests_per_client: int = 20
    reset_requests_window_minutes: int = 60
    # Account security (issue 10): where it runs, the key's origin, the caches and caps.
    secret_key_generated: bool = False
    account_cache_seconds: float = 5.0
    login_failures_per_client: int = 50
    max_pending_orders: int = 5

    @property
    def production(self) -> bool:
        return self.environment == "production"

    @property
    def link_base(self) -> str:
        """Where mailed links point: SHOPCORE_PUBLIC_URL, never the host a request names."""
        return (self.public_url or DEVELOPMENT_URL).rstrip("/")

    @property
    def reset_link_template(self) -> str:
        """The mailed reset link, with a `{token}` slot."""
        return self.link_base + "/api/users/password_reset/confirm/{token}/"

    def check_mail(self) -> None:
        """A usable SMTP URL; production mails real links, so it needs both of these set."""
        check_mail(self)

    def check_secret_key(self) -> None:
        """Outside development: a SHOPCORE_SECRET_KEY of 32 bytes or more, never a generated one."""
        check_secret_key(self.environment, self.secret_key, self.secret_key_generated)
    # An Idempotency-Key claimed this long ago without an answer (its request died with the
    # database or the process) is taken over by a retry instead of answering 409 for a day.
    idempotency_lease_seconds: float = 60.0

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
        check_search(self)

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
        return settings_from_env(cls, environ, dotenv)
