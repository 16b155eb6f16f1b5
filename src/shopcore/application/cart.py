"""The cart: view (through the cache), add, change, remove, clear."""

from __future__ import annotations

from dataclasses import dataclass

from shopcore.domain.cart import Cart, CartView
from shopcore.domain.catalog import Product
from shopcore.domain.errors import NotFound
from shopcore.ports.cart_cache import CartCache
from shopcore.ports.clock import Clock
from shopcore.ports.unit_of_work import UnitOfWork


def view_cart(uow: UnitOfWork, cart: Cart, currency: str) -> CartView:
    """The cart priced with its products as they are now."""
    return cart.view(uow.products.get_many(list(cart.lines)), currency)


@dataclass
class GetCart:
    """The caller's cart, from the cache when it holds it."""

    uow: UnitOfWork
    cache: CartCache
    currency: str

    def __call__(self, *, user_id: int) -> CartView:
        read = self.cache.get(user_id)
        if read.value is not None:
            return read.value
        with self.uow:
            view = view_cart(self.uow, self.uow.carts.get(user_id), self.currency)
        self.cache.put(user_id, view, read.generation)
        return view


@dataclass
class _ChangeCart:
    uow: UnitOfWork
    cache: CartCache
    clock: Clock
    currency: str

    def _finish(self, cart: Cart) -> CartView:
        self.uow.carts.save(cart)
        view = view_cart(self.uow, cart, self.currency)
        self.uow.commit()
        self.cache.invalidate([cart.user_id])
        return view

    def _product(self, product_id: int) -> Product:
        product = self.uow.products.get(product_id)
        if product is None:
            raise NotFound("Product not found.")
        return product


class AddToCart(_ChangeCart):
    """Add units of a product (to its line if there is one), within its stock."""

    def __call__(self, *, user_id: int, product_id: int, quantity: int) -> CartView:
        with self.uow:
            product = self._product(product_id)
            cart = self.uow.carts.get(user_id, for_update=True)
            cart.add(product, quantity, self.clock.now())
            return self._finish(cart)


class ChangeCartItem(_ChangeCart):
    """Set a line's quantity, within stock; 0 removes the line."""

    def __call__(self, *, user_id: int, product_id: int, quantity: int) -> CartView:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            cart.change(product_id, quantity, self.uow.products.get(product_id))
            return self._finish(cart)


class RemoveCartItem(_ChangeCart):
    """Take a line out of the cart."""

    def __call__(self, *, user_id: int, product_id: int) -> CartView:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            cart.remove(product_id)
            return self._finish(cart)


class ClearCart(_ChangeCart):
    """Empty the cart."""

    def __call__(self, *, user_id: int) -> None:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            if cart.lines:
                cart.clear()
                self._finish(cart)
