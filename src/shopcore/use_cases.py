"""The use-case container: one factory per use case, over the ports the Adapters give."""

from __future__ import annotations

from datetime import timedelta

from dependency_injector import containers, providers

from shopcore.application import (
    accounts,
    auth,
    authenticate,
    cart,
    catalog_cache,
    categories,
    demo_data,
    events,
    idempotency,
    orders,
    password_reset,
    payments,
    products,
    readiness,
    reconcile,
    refunds,
    search,
    search_index,
    user_lookup,
    webhooks,
)


class UseCases(containers.DeclarativeContainer):
    """One factory per use case: a fresh instance, and unit of work, per call."""

    core = providers.DependenciesContainer()
    adapters = providers.DependenciesContainer()
    uow = adapters.uow

    register_user = providers.Factory(accounts.RegisterUser, uow=uow, hasher=adapters.hasher,
                                      clock=core.clock)
    get_profile = providers.Factory(accounts.GetProfile, uow=uow)
    update_profile = providers.Factory(accounts.UpdateProfile, uow=uow, hasher=adapters.hasher,
                                       throttle=adapters.throttle)
    change_password = providers.Factory(accounts.ChangePassword, uow=uow, hasher=adapters.hasher,
                                        throttle=adapters.throttle, clock=core.clock,
                                        accounts=adapters.accounts)
    log_in = providers.Factory(auth.LogIn, uow=uow, hasher=adapters.hasher,
                               tokens=adapters.tokens, throttle=adapters.throttle)
    refresh_tokens = providers.Factory(auth.RefreshTokens, uow=uow, tokens=adapters.tokens,
                                       clock=core.clock, accounts=adapters.accounts)
    log_out = providers.Factory(auth.LogOut, uow=uow, tokens=adapters.tokens, clock=core.clock,
                                accounts=adapters.accounts)
    request_password_reset = providers.Factory(password_reset.RequestPasswordReset, uow=uow,
                                               limit=adapters.reset_limit)
    check_reset_token = providers.Factory(password_reset.CheckResetToken, uow=uow,
                                          resets=adapters.resets)
    reset_password = providers.Factory(password_reset.ResetPassword, uow=uow,
                                       hasher=adapters.hasher, resets=adapters.resets,
                                       clock=core.clock, accounts=adapters.accounts)
    trade_reset_token = providers.Factory(password_reset.TradeResetToken, uow=uow,
                                          resets=adapters.resets, forms=adapters.reset_forms)
    check_reset_form = providers.Factory(password_reset.CheckResetToken, uow=uow,
                                         resets=adapters.reset_forms)
    reset_password_by_form = providers.Factory(password_reset.ResetPassword, uow=uow,
                                               hasher=adapters.hasher,
                                               resets=adapters.reset_forms,
                                               clock=core.clock, accounts=adapters.accounts)

    list_categories = providers.Factory(categories.ListCategories, uow=uow)
    get_category = providers.Factory(categories.GetCategory, uow=uow)
    create_category = providers.Factory(categories.CreateCategory, uow=uow,
                                        cache=adapters.catalog_cache)
    update_category = providers.Factory(categories.UpdateCategory, uow=uow,
                                        cache=adapters.catalog_cache)
    delete_category = providers.Factory(categories.DeleteCategory, uow=uow,
                                        cache=adapters.catalog_cache)
    read_catalog = providers.ThreadSafeSingleton(catalog_cache.ReadThroughCatalog,
                                               cache=adapters.catalog_cache)
    list_products = providers.Factory(products.ListProducts, uow=uow,
                                      cache=adapters.catalog_cache)
    get_product = providers.Factory(products.GetProduct, uow=uow)
    create_product = providers.Factory(products.CreateProduct, uow=uow, clock=core.clock,
                                       currency=core.settings.provided.currency)
    update_product = providers.Factory(products.UpdateProduct, uow=uow, clock=core.clock,
                                       cache=adapters.cart_cache)
    delete_product = providers.Factory(products.DeleteProduct, uow=uow,
                                       cache=adapters.cart_cache)

    search_warning = providers.ThreadSafeSingleton(search.FallbackWarning, clock=core.clock)
    search_products = providers.Factory(search.SearchProducts, uow=uow,
                                        search=adapters.product_search,
                                        fallback=adapters.search_fallback, warn=search_warning,
                                        pending=adapters.pending_indexing)
    rebuild_search_index = providers.Factory(search_index.RebuildSearchIndex,
                                             new_uow=uow.provider, search=adapters.product_search,
                                             fallback=adapters.search_fallback)
    check_search_index = providers.Factory(search_index.CheckSearchIndex, new_uow=uow.provider,
                                           search=adapters.product_search,
                                           pending=adapters.pending_indexing)

    currency = core.settings.provided.currency
    get_cart = providers.ThreadSafeSingleton(cart.GetCart, new_uow=uow.provider,
                                             cache=adapters.cart_cache, currency=currency)
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
                                    clock=core.clock,
                                    max_pending=core.settings.provided.max_pending_orders)
    list_orders = providers.Factory(orders.ListOrders, uow=uow)
    get_order = providers.Factory(orders.GetOrder, uow=uow)
    cancel_order = providers.Factory(orders.CancelOrder, uow=uow, clock=core.clock,
                                     gateway=adapters.payment_gateway)
    change_order_status = providers.Factory(orders.ChangeOrderStatus, uow=uow,
                                            clock=core.clock, cancel=cancel_order)
    expire_orders = providers.Factory(
        orders.ExpireOrders, uow=uow, clock=core.clock,
        after=providers.Callable(lambda s: timedelta(minutes=s.order_expiry_minutes),
                                 core.settings))
    process_payment = providers.Factory(payments.ProcessPayment, uow=uow,
                                        gateway=adapters.payment_gateway, clock=core.clock)
    list_payments = providers.Factory(payments.ListPayments, uow=uow)
    get_ledger = providers.Factory(payments.GetLedger, uow=uow)
    handle_webhook = providers.Factory(webhooks.HandleWebhook, uow=uow,
                                       verifier=adapters.webhook_verifier, clock=core.clock)
    refund_order = providers.Factory(refunds.RefundOrder, uow=uow,
                                     gateway=adapters.payment_gateway, clock=core.clock)
    reconcile_payments = providers.Factory(reconcile.ReconcilePayments, uow=uow,
                                           gateway=adapters.payment_gateway, clock=core.clock)
    idempotently = providers.Factory(
        idempotency.Idempotently, uow=uow, clock=core.clock,
        lease=providers.Callable(lambda s: timedelta(seconds=s.idempotency_lease_seconds),
                                 core.settings))

    relay_outbox = providers.Factory(events.RelayOutbox, new_uow=uow.provider,
                                     publisher=adapters.event_publisher, clock=core.clock)
    handle_event = providers.Factory(events.HandleEvent, uow=uow,
                                     handlers=adapters.event_handlers, clock=core.clock,
                                     in_transaction=adapters.transactional_handlers)
    replay_events = providers.Factory(events.ReplayEvents, uow=uow,
                                      publisher=adapters.event_publisher)
    outbox_status = providers.Factory(events.OutboxStatus, uow=uow)

    authenticate = providers.ThreadSafeSingleton(
        authenticate.Authenticate, tokens=adapters.tokens, new_uow=uow.provider,
        accounts=adapters.accounts)
    find_user = providers.Factory(user_lookup.FindUser, uow=uow)
    check_readiness = providers.Factory(readiness.CheckReadiness, probes=providers.Dict(
        database=adapters.database_probe, cache=adapters.cache_probe,
        search=adapters.search_probe, events=adapters.event_publisher,
        payments=adapters.payments_probe))
    count_products = providers.Factory(demo_data.CountProducts, uow=uow)
    add_demo_users = providers.Factory(demo_data.AddDemoUsers, uow=uow, hasher=adapters.hasher,
                                       clock=core.clock)
    add_demo_categories = providers.Factory(demo_data.AddDemoCategories, uow=uow,
                                            cache=adapters.catalog_cache)
    add_demo_products = providers.Factory(demo_data.AddDemoProducts, new_uow=uow.provider,
                                          clock=core.clock, currency=currency)
