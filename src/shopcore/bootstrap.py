"""The composition root: dependency-injector containers that pick adapters from Settings.

Nothing here runs at import; `build(settings)` makes a fresh container for an app,
a CLI command or a test.
"""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from shopcore import lazy_adapters as lazy
from shopcore.adapters.clock import SystemClock
from shopcore.adapters.inprocess.events import InProcessPublisher, MemoryPublisher
from shopcore.adapters.mail.mailers import ConsoleMailer, MemoryMailer, SmtpMailer
from shopcore.adapters.memory.account_cache import MemoryAccountCache
from shopcore.adapters.memory.cart_cache import LruCartCache
from shopcore.adapters.memory.catalog_cache import LruCatalogCache, NoCatalogCache
from shopcore.adapters.memory.gateway import MemoryGateway
from shopcore.adapters.memory.search import MemorySearch
from shopcore.adapters.memory.security import PlainHasher
from shopcore.adapters.memory.store import MemoryStore
from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
from shopcore.adapters.redis.cart_cache import RedisCartCache
from shopcore.adapters.redis.catalog_cache import RedisCatalogCache
from shopcore.adapters.redis.client import redis_resource
from shopcore.adapters.security.hashing import BcryptHasher
from shopcore.adapters.security.request_limits import memory_reset_limit, redis_reset_limit
from shopcore.adapters.security.throttle import memory_throttle, redis_throttle
from shopcore.adapters.security.tokens import JwtTokenService, SignedResetTokens
from shopcore.adapters.simulator.gateway import SimulatedGateway
from shopcore.adapters.sqlalchemy.data_version import SqliteDataVersion
from shopcore.adapters.sqlalchemy.engine import engine_resource
from shopcore.adapters.sqlalchemy.probe import DatabaseProbe
from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from shopcore.adapters.stripe.webhooks import StripeWebhookVerifier
from shopcore.application import readiness, search_index
from shopcore.application.account_mail import SendAccountMail
from shopcore.application.catalog_cache import CatalogChanged
from shopcore.ports.health import DISABLED, UP
from shopcore.settings import Settings
from shopcore.use_cases import UseCases

# Every shared adapter is built once under a lock: a threaded server's first requests race
# to build it, and a plain Singleton could hand two of them two instances.
Singleton = providers.ThreadSafeSingleton


class Core(containers.DeclarativeContainer):
    """Configuration and the clock."""

    settings = providers.Dependency(instance_of=Settings)
    clock = Singleton(SystemClock)


class Gateways(containers.DeclarativeContainer):
    """Clients of outside services, each built once, on first use, and closed at shutdown."""

    core = providers.DependenciesContainer()
    engine = providers.Resource(engine_resource, core.settings.provided.database_url,
                                echo=core.settings.provided.sql_echo,
                                pool_size=core.settings.provided.db_pool_size,
                                max_overflow=core.settings.provided.db_max_overflow)
    redis = providers.Resource(redis_resource, core.settings.provided.redis_url)
    memory_store = Singleton(MemoryStore)
    stripe = Singleton(lazy.stripe_client, core.settings.provided.stripe_secret_key,
                                 core.settings.provided.stripe_api_base,
                                 core.settings.provided.stripe_timeout_seconds)
    # The OpenSearch client (SHOPCORE_OPENSEARCH_*), built only when its URL is set.
    opensearch = Singleton(lazy.opensearch_client, core.settings)


class Adapters(containers.DeclarativeContainer):
    """The port implementations the settings ask for."""

    core = providers.DependenciesContainer()
    gateways = providers.DependenciesContainer()
    settings = core.settings

    catalog_ttl = settings.provided.catalog_cache_ttl_seconds
    catalog_cache = providers.Selector(
        settings.provided.catalog_cache_store,
        memory=Singleton(LruCatalogCache, ttl_seconds=catalog_ttl),
        sqlite=Singleton(LruCatalogCache, ttl_seconds=catalog_ttl,
                                   outside=Singleton(SqliteDataVersion, gateways.engine)),
        redis=Singleton(RedisCatalogCache, gateways.redis, catalog_ttl),
        off=Singleton(NoCatalogCache),
    )
    catalog_changed = Singleton(CatalogChanged, cache=catalog_cache)
    commit_listeners = providers.List(catalog_changed)  # each unit of work tells them
    uow = providers.Selector(
        settings.provided.storage,
        sql=providers.Factory(SqlUnitOfWork, engine=gateways.engine, clock=core.clock)
        .add_attributes(listeners=commit_listeners),
        memory=providers.Factory(MemoryUnitOfWork, store=gateways.memory_store, clock=core.clock)
        .add_attributes(listeners=commit_listeners),
    )
    hasher = providers.Selector(
        settings.provided.password_hasher,
        bcrypt=Singleton(BcryptHasher, rounds=settings.provided.bcrypt_rounds),
        plain=Singleton(PlainHasher),
    )
    tokens = Singleton(
        JwtTokenService,
        secret=settings.provided.secret_key,
        clock=core.clock,
        access_ttl=providers.Callable(lambda s: timedelta(minutes=s.access_token_minutes),
                                      settings),
        refresh_ttl=providers.Callable(lambda s: timedelta(days=s.refresh_token_days), settings),
    )
    resets = Singleton(
        SignedResetTokens,
        secret=settings.provided.secret_key,
        max_age=providers.Callable(lambda s: timedelta(minutes=s.reset_token_minutes), settings),
    )
    # The form token a reset link is traded for on its first GET: 15 minutes, its own salt.
    reset_forms = Singleton(SignedResetTokens, secret=settings.provided.secret_key,
                                      max_age=timedelta(minutes=15),
                                      salt="shopcore.password-reset-form")
    reset_limits = (settings.provided.reset_requests_per_email,
                    settings.provided.reset_requests_per_client,
                    settings.provided.reset_requests_window_minutes)
    reset_limit = providers.Selector(
        settings.provided.throttle_store,
        memory=Singleton(memory_reset_limit, *reset_limits),
        redis=Singleton(redis_reset_limit, gateways.redis, *reset_limits))
    # Counters and caches shared by a threaded server's requests: built once, under a lock.
    throttle = providers.Selector(
        settings.provided.throttle_store,
        memory=providers.ThreadSafeSingleton(
            memory_throttle, settings.provided.login_failures_per_address,
            settings.provided.login_failures_per_user, settings.provided.login_window_minutes,
            settings.provided.login_failures_per_client),
        redis=providers.ThreadSafeSingleton(
            redis_throttle, gateways.redis, settings.provided.login_failures_per_address,
            settings.provided.login_failures_per_user, settings.provided.login_window_minutes,
            settings.provided.login_failures_per_client),
    )
    metrics = providers.Callable(lambda s: "on" if s.metrics else "off", settings)  # counted
    # In the process even with Redis: no network on the hot path, and a change reaches the
    # other workers within the few seconds a copy lives (at once in the worker that made it).
    accounts = providers.ThreadSafeSingleton(
        MemoryAccountCache, clock=core.clock, ttl_seconds=settings.provided.account_cache_seconds)
    stored_cart_cache = providers.Selector(
        settings.provided.cart_cache_store,
        memory=Singleton(LruCartCache,
                                   ttl_seconds=settings.provided.cart_cache_ttl_seconds),
        redis=Singleton(RedisCartCache, gateways.redis,
                                  settings.provided.cart_cache_ttl_seconds),
    )
    cart_cache = providers.Selector(
        metrics, off=stored_cart_cache,
        on=Singleton(lazy.counted, "cart_cache", stored_cart_cache))
    product_search = providers.Selector(
        settings.provided.search_engine,
        memory=Singleton(MemorySearch),
        sqlite=Singleton(lazy.sqlite_search, gateways.engine),
        postgres=Singleton(lazy.postgres_search, gateways.engine),
        opensearch=Singleton(lazy.opensearch_search, gateways.opensearch,
                                       settings.provided.opensearch_index_prefix),
    )
    search_fallback = providers.Selector(
        settings.provided.search_fallback,
        none=providers.Object(None),
        memory=Singleton(MemorySearch),
        sqlite=Singleton(lazy.sqlite_search, gateways.engine),
        postgres=Singleton(lazy.postgres_search, gateways.engine),
    )
    index_changes = Singleton(search_index.IndexProductChanges, new_uow=uow.provider,
                                        search=product_search, fallback=search_fallback)
    deferred_indexing = Singleton(search_index.DeferredIndexing, index=index_changes)
    # The in-process bus calls handlers inside the relay's transaction: index after it.
    search_handler = providers.Selector(settings.provided.event_bus, inprocess=deferred_indexing,
                                        memory=index_changes, kafka=index_changes)
    pending_indexing = providers.Selector(settings.provided.event_bus,
                                          inprocess=deferred_indexing,
                                          memory=providers.Object(None),
                                          kafka=providers.Object(None))
    mailer = providers.Selector(
        settings.provided.mailer,
        console=Singleton(ConsoleMailer),
        smtp=Singleton(SmtpMailer, url=settings.provided.smtp_url,
                                 sender=settings.provided.mail_sender),
        memory=Singleton(MemoryMailer),
    )
    account_mail = Singleton(
        SendAccountMail, resets=resets, mailer=mailer, clock=core.clock,
        link_template=settings.provided.reset_link_template,
        max_age=providers.Callable(lambda s: timedelta(minutes=s.reset_token_minutes), settings))
    event_handlers = providers.List(search_handler, catalog_changed, account_mail)
    # Handlers with database effects, run in the transaction that marks the event processed.
    transactional_handlers = providers.List()
    event_publisher = providers.Selector(
        settings.provided.event_bus,
        inprocess=Singleton(InProcessPublisher, handlers=event_handlers),
        memory=Singleton(MemoryPublisher),
        kafka=Singleton(lazy.kafka_publisher, settings),
    )
    database_probe = providers.Selector(
        settings.provided.storage,
        sql=Singleton(DatabaseProbe, engine=gateways.engine),
        memory=providers.Object(readiness.Fixed(UP)),
    )
    cache_probe = providers.Selector(
        settings.provided.cart_cache_store,
        redis=cart_cache,
        memory=providers.Object(readiness.Fixed(DISABLED)),
    )
    search_probe = Singleton(readiness.SearchProbe, search=product_search,
                                       fallback=search_fallback)
    provider_gateway = providers.Selector(
        settings.provided.payment_provider,
        memory=Singleton(MemoryGateway),
        simulator=Singleton(
            SimulatedGateway, store_path=settings.provided.simulator_store_path,
            webhook_url=settings.provided.webhook_url,
            webhook_secret=settings.provided.webhook_secret,
            action_seconds=settings.provided.simulator_action_seconds),
        stripe=Singleton(lazy.stripe_gateway, gateways.stripe, settings.provided.shop_id),
    )
    payment_gateway = providers.Selector(
        metrics, off=provider_gateway,
        on=Singleton(lazy.counted, "payments", provider_gateway))
    webhook_verifier = Singleton(StripeWebhookVerifier,
                                           settings.provided.webhook_secret)
    payments_probe = payment_gateway


class Container(containers.DeclarativeContainer):
    """The whole application: core, gateways, adapters and use cases."""

    settings = providers.Dependency(instance_of=Settings)
    core = providers.Container(Core, settings=settings)
    gateways = providers.Container(Gateways, core=core)
    adapters = providers.Container(Adapters, core=core, gateways=gateways)
    use_cases = providers.Container(UseCases, core=core, adapters=adapters)


def build(settings: Settings | None = None) -> Container:
    """A new container for `settings` (default: from the environment)."""
    settings = settings if settings is not None else Settings.from_env()
    settings.check_mail()
    container = Container(settings=settings)
    container.check_dependencies()
    return container
