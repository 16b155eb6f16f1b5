"""shopcore as a library: the use cases, with no Flask in sight."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from shopcore.application import (
    accounts,
    auth,
    cart,
    catalog_cache,
    categories,
    events,
    idempotency,
    orders,
    password_reset,
    products,
    readiness,
    user_lookup,
)
from shopcore.application.authenticate import Authenticate
from shopcore.library_demo import DemoDataUseCases
from shopcore.library_payments import PaymentUseCases
from shopcore.library_search import SearchUseCases
from shopcore.settings import MEMORY, Settings

if TYPE_CHECKING:
    from shopcore.bootstrap import Container


class App(PaymentUseCases, SearchUseCases, DemoDataUseCases):
    """The shop's use cases as typed properties: `App.in_memory().register_user(...)`.

    Each access builds a fresh use case, and so a fresh unit of work.
    """

    def __init__(self, settings: Settings) -> None:
        from shopcore.bootstrap import build

        self.settings = settings
        self.container: Container = build(settings)
        self._use_cases = self.container.use_cases()

    @classmethod
    def in_memory(cls, **overrides: Any) -> App:
        """Every port in memory: nothing touches the disk or the network."""
        base = Settings(database_url=MEMORY, mailer="memory", event_bus="memory",
                        payment_provider="memory")
        return cls(base.with_(**overrides))

    @classmethod
    def from_env(cls) -> App:
        """Adapters as the SHOPCORE_* environment variables choose."""
        return cls(Settings.from_env())

    def close(self) -> None:
        """Shut the resources down: the database engine, the Redis client."""
        self.container.shutdown_resources()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def register_user(self) -> accounts.RegisterUser:
        return self._use_cases.register_user()

    @property
    def get_profile(self) -> accounts.GetProfile:
        return self._use_cases.get_profile()

    @property
    def update_profile(self) -> accounts.UpdateProfile:
        return self._use_cases.update_profile()

    @property
    def change_password(self) -> accounts.ChangePassword:
        return self._use_cases.change_password()

    @property
    def log_in(self) -> auth.LogIn:
        return self._use_cases.log_in()

    @property
    def refresh_tokens(self) -> auth.RefreshTokens:
        return self._use_cases.refresh_tokens()

    @property
    def log_out(self) -> auth.LogOut:
        return self._use_cases.log_out()

    @property
    def request_password_reset(self) -> password_reset.RequestPasswordReset:
        return self._use_cases.request_password_reset()

    @property
    def check_reset_token(self) -> password_reset.CheckResetToken:
        return self._use_cases.check_reset_token()

    @property
    def reset_password(self) -> password_reset.ResetPassword:
        return self._use_cases.reset_password()

    @property
    def trade_reset_token(self) -> password_reset.TradeResetToken:
        return self._use_cases.trade_reset_token()

    @property
    def check_reset_form(self) -> password_reset.CheckResetToken:
        return self._use_cases.check_reset_form()

    @property
    def reset_password_by_form(self) -> password_reset.ResetPassword:
        return self._use_cases.reset_password_by_form()

    @property
    def list_categories(self) -> categories.ListCategories:
        return self._use_cases.list_categories()

    @property
    def get_category(self) -> categories.GetCategory:
        return self._use_cases.get_category()

    @property
    def create_category(self) -> categories.CreateCategory:
        return self._use_cases.create_category()

    @property
    def update_category(self) -> categories.UpdateCategory:
        return self._use_cases.update_category()

    @property
    def delete_category(self) -> categories.DeleteCategory:
        return self._use_cases.delete_category()

    @property
    def read_catalog(self) -> catalog_cache.ReadThroughCatalog:
        return self._use_cases.read_catalog()

    @property
    def list_products(self) -> products.ListProducts:
        return self._use_cases.list_products()

    @property
    def get_product(self) -> products.GetProduct:
        return self._use_cases.get_product()

    @property
    def create_product(self) -> products.CreateProduct:
        return self._use_cases.create_product()

    @property
    def update_product(self) -> products.UpdateProduct:
        return self._use_cases.update_product()

    @property
    def delete_product(self) -> products.DeleteProduct:
        return self._use_cases.delete_product()

    @property
    def get_cart(self) -> cart.GetCart:
        return self._use_cases.get_cart()

    @property
    def add_to_cart(self) -> cart.AddToCart:
        return self._use_cases.add_to_cart()

    @property
    def change_cart_item(self) -> cart.ChangeCartItem:
        return self._use_cases.change_cart_item()

    @property
    def remove_cart_item(self) -> cart.RemoveCartItem:
        return self._use_cases.remove_cart_item()

    @property
    def clear_cart(self) -> cart.ClearCart:
        return self._use_cases.clear_cart()

    @property
    def place_order(self) -> orders.PlaceOrder:
        return self._use_cases.place_order()

    @property
    def list_orders(self) -> orders.ListOrders:
        return self._use_cases.list_orders()

    @property
    def get_order(self) -> orders.GetOrder:
        return self._use_cases.get_order()

    @property
    def cancel_order(self) -> orders.CancelOrder:
        return self._use_cases.cancel_order()

    @property
    def change_order_status(self) -> orders.ChangeOrderStatus:
        return self._use_cases.change_order_status()

    @property
    def expire_orders(self) -> orders.ExpireOrders:
        return self._use_cases.expire_orders()

    @property
    def idempotently(self) -> idempotency.Idempotently:
        return self._use_cases.idempotently()

    @property
    def relay_outbox(self) -> events.RelayOutbox:
        return self._use_cases.relay_outbox()

    @property
    def handle_event(self) -> events.HandleEvent:
        return self._use_cases.handle_event()

    @property
    def replay_events(self) -> events.ReplayEvents:
        return self._use_cases.replay_events()

    @property
    def outbox_status(self) -> events.OutboxStatus:
        return self._use_cases.outbox_status()

    @property
    def authenticate(self) -> Authenticate:
        return self._use_cases.authenticate()

    @property
    def find_user(self) -> user_lookup.FindUser:
        return self._use_cases.find_user()

    @property
    def check_readiness(self) -> readiness.CheckReadiness:
        return self._use_cases.check_readiness()
