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
DEVELOPMENT_URL = "http://127.0.0.1:8000"


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


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """The variable lowercased, one of `choices`; unset means the first."""
    raw = (env.get(name) or choices[0]).lower()
    if raw not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, not {raw!r}")
    return raw


MIN_SECRET_BYTES = 32


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
        if self.smtp_url:
            from shopcore.adapters.mail.mailers import smtp_security

            try:
                smtp_security(self.smtp_url)
            except ValueError as exc:
                raise SettingsError(str(exc)) from exc
        if not self.production:
            return
        if not self.public_url:
            raise SettingsError("SHOPCORE_ENV=production needs SHOPCORE_PUBLIC_URL, the base "
                                "of the links sent by mail (e.g. https://shop.example.com)")
        if self.mailer == "console":
            raise SettingsError("SHOPCORE_ENV=production needs SHOPCORE_SMTP_URL: the console "
                                "mailer would print reset links in the log")

    def check_secret_key(self) -> None:
        """Outside development: a SHOPCORE_SECRET_KEY of 32 bytes or more, never a generated one."""
        if self.environment == "development":
            return
        if self.secret_key_generated or not self.secret_key:
            raise SettingsError(f"SHOPCORE_SECRET_KEY must be set when SHOPCORE_ENV="
                                f"{self.environment}: a random key of {MIN_SECRET_BYTES} bytes "
                                "or more, the same for every process")
        if len(self.secret_key.encode()) < MIN_SECRET_BYTES:
            raise SettingsError(f"SHOPCORE_SECRET_KEY is {len(self.secret_key.encode())} "
                                f"bytes; SHOPCORE_ENV={self.environment} needs "
                                f"{MIN_SECRET_BYTES} or more")
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
        Settings(secret_key=given, environment=environment,
                 secret_key_generated=generated).check_secret_key()
    return values
