"""The composition root: dependency-injector containers that pick adapters from Settings.

Nothing here runs at import; `build(settings)` makes a fresh container for an app,
a CLI command or a test.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from dependency_injector import containers, providers

from shopcore.adapters.clock import SystemClock
from shopcore.adapters.inprocess.events import InProcessPublisher, MemoryPublisher
from shopcore.adapters.mail.mailers import ConsoleMailer, MemoryMailer, SmtpMailer
from shopcore.adapters.memory.cart_cache import LruCartCache
from shopcore.adapters.memory.security import PlainHasher
from shopcore.adapters.memory.store import MemoryStore
from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
from shopcore.adapters.redis.cart_cache import RedisCartCache
from shopcore.adapters.redis.client import redis_resource
from shopcore.adapters.security.hashing import BcryptHasher
from shopcore.adapters.security.throttle import memory_throttle, redis_throttle
from shopcore.adapters.security.tokens import JwtTokenService, SignedResetTokens
from shopcore.adapters.sqlalchemy.engine import engine_resource
from shopcore.adapters.sqlalchemy.probe import DatabaseProbe
from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork
from shopcore.application import (
    accounts,
    auth,
    authenticate,
    cart,
    categories,
    demo_data,
    events,
    idempotency,
    orders,
    password_reset,
    products,
    readiness,
    user_lookup,
)
from shopcore.ports.health import DISABLED, UP
from shopcore.settings import Settings


def _kafka_publisher(bootstrap_servers: str) -> Any:
    from shopcore.adapters.kafka.publisher import KafkaPublisher

    return KafkaPublisher(bootstrap_servers)


class Core(containers.DeclarativeContainer):
    """Configuration and the clock."""

    settings = providers.Dependency(instance_of=Settings)
    clock = providers.Singleton(SystemClock)


class Gateways(containers.DeclarativeContainer):
    """Clients of outside services, each built once, on first use, and closed at shutdown."""

    core = providers.DependenciesContainer()
    engine = providers.Resource(engine_resource, core.settings.provided.database_url,
                                echo=core.settings.provided.sql_echo)
    redis = providers.Resource(redis_resource, core.settings.provided.redis_url)
    memory_store = providers.Singleton(MemoryStore)
    # Homes of the clients that payments (STRIPE_*) and search (SHOPCORE_OPENSEARCH_*) bring:
    # a Singleton built from the settings each, filled by those issues.
    stripe: providers.Object[Any] = providers.Object(None)
    opensearch: providers.Object[Any] = providers.Object(None)


class Adapters(containers.DeclarativeContainer):
    """The port implementations the settings ask for."""

    core = providers.DependenciesContainer()
    gateways = providers.DependenciesContainer()
    settings = core.settings

    uow = providers.Selector(
        settings.provided.storage,
        sql=providers.Factory(SqlUnitOfWork, engine=gateways.engine, clock=core.clock),
        memory=providers.Factory(MemoryUnitOfWork, store=gateways.memory_store, clock=core.clock),
    )
    hasher = providers.Selector(
        settings.provided.password_hasher,
        bcrypt=providers.Singleton(BcryptHasher, rounds=settings.provided.bcrypt_rounds),
        plain=providers.Singleton(PlainHasher),
    )
    tokens = providers.Singleton(
        JwtTokenService,
        secret=settings.provided.secret_key,
        clock=core.clock,
        access_ttl=providers.Callable(lambda s: timedelta(minutes=s.access_token_minutes),
                                      settings),
        refresh_ttl=providers.Callable(lambda s: timedelta(days=s.refresh_token_days), settings),
    )
    resets = providers.Singleton(
        SignedResetTokens,
        secret=settings.provided.secret_key,
        max_age=providers.Callable(lambda s: timedelta(minutes=s.reset_token_minutes), settings),
    )
    throttle = providers.Selector(
        settings.provided.throttle_store,
        memory=providers.Singleton(
            memory_throttle, settings.provided.login_failures_per_address,
            settings.provided.login_failures_per_user, settings.provided.login_window_minutes),
        redis=providers.Singleton(
            redis_throttle, gateways.redis, settings.provided.login_failures_per_address,
            settings.provided.login_failures_per_user, settings.provided.login_window_minutes),
    )
    cart_cache = providers.Selector(
        settings.provided.cart_cache_store,
        memory=providers.Singleton(LruCartCache,
                                   ttl_seconds=settings.provided.cart_cache_ttl_seconds),
        redis=providers.Singleton(RedisCartCache, gateways.redis,
                                  settings.provided.cart_cache_ttl_seconds),
    )
    event_handlers = providers.List()
    event_publisher = providers.Selector(
        settings.provided.event_bus,
        inprocess=providers.Singleton(InProcessPublisher, handlers=event_handlers),
        memory=providers.Singleton(MemoryPublisher),
        kafka=providers.Singleton(_kafka_publisher, settings.provided.kafka_bootstrap_servers),
    )
    mailer = providers.Selector(
        settings.provided.mailer,
        console=providers.Singleton(ConsoleMailer),
        smtp=providers.Singleton(SmtpMailer, url=settings.provided.smtp_url,
                                 sender=settings.provided.mail_sender),
        memory=providers.Singleton(MemoryMailer),
    )
    database_probe = providers.Selector(
        settings.provided.storage,
        sql=providers.Singleton(DatabaseProbe, engine=gateways.engine),
        memory=providers.Object(readiness.Fixed(UP)),
    )
    cache_probe = providers.Selector(
        settings.provided.cart_cache_store,
        redis=cart_cache,
        memory=providers.Object(readiness.Fixed(DISABLED)),
    )
    search_probe = providers.Object(readiness.Fixed(DISABLED))
    payments_probe = providers.Object(readiness.Fixed(DISABLED))


class UseCases(containers.DeclarativeContainer):
    """One factory per use case: a fresh instance, and unit of work, per call."""

    core = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    uow = adapters.uow

    register_user = providers.Factory(accounts.RegisterUser, uow=uow, hasher=adapters.hasher,
                                      clock=core.clock)
    get_profile = providers.Factory(accounts.GetProfile, uow=uow)
    update_profile = providers.Factory(accounts.UpdateProfile, uow=uow)
    change_password = providers.Factory(accounts.ChangePassword, uow=uow, hasher=adapters.hasher)
    log_in = providers.Factory(auth.LogIn, uow=uow, hasher=adapters.hasher,
                               tokens=adapters.tokens, throttle=adapters.throttle)
    refresh_tokens = providers.Factory(auth.RefreshTokens, uow=uow, tokens=adapters.tokens,
                                       clock=core.clock)
    log_out = providers.Factory(auth.LogOut, uow=uow, tokens=adapters.tokens)
    request_password_reset = providers.Factory(password_reset.RequestPasswordReset, uow=uow,
                                               resets=adapters.resets, mailer=adapters.mailer)
    check_reset_token = providers.Factory(password_reset.CheckResetToken, uow=uow,
                                          resets=adapters.resets)
    reset_password = providers.Factory(password_reset.ResetPassword, uow=uow,
                                       hasher=adapters.hasher, resets=adapters.resets)

    list_categories = providers.Factory(categories.ListCategories, uow=uow)
    get_category = providers.Factory(categories.GetCategory, uow=uow)
    create_category = providers.Factory(categories.CreateCategory, uow=uow)
    update_category = providers.Factory(categories.UpdateCategory, uow=uow)
    delete_category = providers.Factory(categories.DeleteCategory, uow=uow)
    list_products = providers.Factory(products.ListProducts, uow=uow)
    get_product = providers.Factory(products.GetProduct, uow=uow)
    create_product = providers.Factory(products.CreateProduct, uow=uow, clock=core.clock,
                                       currency=core.settings.provided.currency)
    update_product = providers.Factory(products.UpdateProduct, uow=uow, clock=core.clock,
                                       cache=adapters.cart_cache)
    delete_product = providers.Factory(products.DeleteProduct, uow=uow,
                                       cache=adapters.cart_cache)

    currency = core.settings.provided.currency
    get_cart = providers.Factory(cart.GetCart, uow=uow, cache=adapters.cart_cache,
                                 currency=currency)
    add_to_cart = providers.Factory(cart.AddToCart, uow=uow, cache=adapters.cart_cache,
                                    clock=core.clock, currency=currency)
    change_cart_item = providers.Factory(cart.ChangeCartItem, uow=uow,
                                         cache=adapters.cart_cache, clock=core.clock,
                                         currency=currency)
    remove_cart_item = providers.Factory(cart.RemoveCartItem, uow=uow,
                                         cache=adapters.cart_cache, clock=core.clock,
                                         currency=currency)
    clear_cart = providers.Factory(cart.ClearCart, uow=uow, cache=adapters.cart_cache,
                                   clock=core.clock, currency=currency)
    place_order = providers.Factory(orders.PlaceOrder, uow=uow, cache=adapters.cart_cache,
                                    clock=core.clock)
    list_orders = providers.Factory(orders.ListOrders, uow=uow)
    get_order = providers.Factory(orders.GetOrder, uow=uow)
    cancel_order = providers.Factory(orders.CancelOrder, uow=uow, clock=core.clock)
    change_order_status = providers.Factory(orders.ChangeOrderStatus, uow=uow,
                                            clock=core.clock)
    expire_orders = providers.Factory(
        orders.ExpireOrders, uow=uow, clock=core.clock,
        after=providers.Callable(lambda s: timedelta(minutes=s.order_expiry_minutes),
                                 core.settings))
    idempotently = providers.Factory(idempotency.Idempotently, uow=uow, clock=core.clock)

    relay_outbox = providers.Factory(events.RelayOutbox, new_uow=uow.provider,
                                     publisher=adapters.event_publisher, clock=core.clock)
    handle_event = providers.Factory(events.HandleEvent, uow=uow,
                                     handlers=adapters.event_handlers, clock=core.clock)
    replay_events = providers.Factory(events.ReplayEvents, uow=uow,
                                      publisher=adapters.event_publisher)
    outbox_status = providers.Factory(events.OutboxStatus, uow=uow)

    authenticate = providers.Factory(authenticate.Authenticate, tokens=adapters.tokens)
    find_user = providers.Factory(user_lookup.FindUser, uow=uow)
    check_readiness = providers.Factory(readiness.CheckReadiness, probes=providers.Dict(
        database=adapters.database_probe, cache=adapters.cache_probe,
        search=adapters.search_probe, events=adapters.event_publisher,
        payments=adapters.payments_probe))
    count_products = providers.Factory(demo_data.CountProducts, uow=uow)
    add_demo_users = providers.Factory(demo_data.AddDemoUsers, uow=uow, hasher=adapters.hasher,
                                       clock=core.clock)
    add_demo_categories = providers.Factory(demo_data.AddDemoCategories, uow=uow)
    add_demo_products = providers.Factory(demo_data.AddDemoProducts, new_uow=uow.provider,
                                          clock=core.clock, currency=currency)


class Container(containers.DeclarativeContainer):
    """The whole application: core, gateways, adapters and use cases."""

    settings = providers.Dependency(instance_of=Settings)
    core = providers.Container(Core, settings=settings)
    gateways = providers.Container(Gateways, core=core)
    adapters = providers.Container(Adapters, core=core, gateways=gateways)
    use_cases = providers.Container(UseCases, core=core, adapters=adapters)


def build(settings: Settings | None = None) -> Container:
    """A new container for `settings` (default: from the environment)."""
    container = Container(settings=settings if settings is not None else Settings.from_env())
    container.check_dependencies()
    return container
