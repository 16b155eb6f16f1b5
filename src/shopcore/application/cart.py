"""The cart: view (through the cache), add, change, remove, clear."""

from __future__ import annotations

from collections.abc import Callable, Mapping
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
    """The caller's cart, from the cache when it holds it (a unit of work only on a miss)."""

    new_uow: Callable[[], UnitOfWork]
    cache: CartCache
    currency: str

    def __call__(self, *, user_id: int) -> CartView:
        read = self.cache.get(user_id)
        return read.value if read.value is not None else self._build(user_id, read.generation)

    def encoded_or_view(self, *, user_id: int) -> bytes | CartView:
        """On a hit the cart as the cache holds it encoded (the contract's JSON), else the view."""
        read = self.cache.get(user_id)
        if read.body is not None:
            return read.body
        return read.value if read.value is not None else self._build(user_id, read.generation)

    def _build(self, user_id: int, generation: str) -> CartView:
        with self.new_uow() as uow:
            cart, products = uow.carts.get_with_products(user_id)
            view = cart.view(products, self.currency)
        self.cache.put(user_id, view, generation)
        return view


@dataclass
class _ChangeCart:
    uow: UnitOfWork
    cache: CartCache
    clock: Clock
    currency: str

    def _finish(self, cart: Cart, products: Mapping[int, Product] | None = None) -> CartView:
        """Store the cart, price it (with `products` when they were read already), commit."""
        self.uow.carts.save(cart)
        view = (cart.view(products, self.currency) if products is not None
                else view_cart(self.uow, cart, self.currency))
        self.uow.commit()
        self.cache.invalidate([cart.user_id])
        return view


class AddToCart(_ChangeCart):
    """Add units of a product (to its line if there is one), within its stock."""

    def __call__(self, *, user_id: int, product_id: int, quantity: int) -> CartView:
        with self.uow:
            cart, products = self.uow.carts.get_with_products(
                user_id, also=[product_id], for_update=True)
            if product_id not in products:
                raise NotFound("Product not found.")
            cart.add(products[product_id], quantity, self.clock.now())
            return self._finish(cart, products)


class ChangeCartItem(_ChangeCart):
    """Set a line's quantity, within stock; 0 removes the line."""

    def __call__(self, *, user_id: int, product_id: int, quantity: int) -> CartView:
        with self.uow:
            cart, products = self.uow.carts.get_with_products(
                user_id, also=[product_id], for_update=True)
            cart.change(product_id, quantity, products.get(product_id))
            return self._finish(cart, products)


class RemoveCartItem(_ChangeCart):
    """Take a line out of the cart."""

    def __call__(self, *, user_id: int, product_id: int) -> CartView:
        with self.uow:
            cart, products = self.uow.carts.get_with_products(user_id, for_update=True)
            cart.remove(product_id)
            return self._finish(cart, products)


class ClearCart(_ChangeCart):
    """Empty the cart."""

    def __call__(self, *, user_id: int) -> None:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            if cart.lines:
                cart.clear()
                self._finish(cart)
