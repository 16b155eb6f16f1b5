"""The cart: view (through the cache), add, change, remove, clear."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from shopcore.domain.cart import Cart
from shopcore.domain.catalog import Product
from shopcore.domain.errors import Conflict, NotFound
from shopcore.ports.cart_cache import CartCache
from shopcore.ports.clock import Clock
from shopcore.ports.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class CartItemView:
    product_id: int
    name: str
    unit_price: Decimal
    quantity: int
    line_total: Decimal


@dataclass(frozen=True)
class CartProblem:
    product_id: int
    code: str
    message: str


@dataclass(frozen=True)
class CartView:
    """The cart as a client sees it; lines whose product is gone appear only as problems."""

    items: list[CartItemView]
    total: Decimal
    currency: str
    item_count: int
    problems: list[CartProblem]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["total"] = str(self.total)
        for item in data["items"]:
            item["unit_price"], item["line_total"] = str(item["unit_price"]), str(
                item["line_total"])
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CartView:
        items = [CartItemView(i["product_id"], i["name"], Decimal(i["unit_price"]),
                              i["quantity"], Decimal(i["line_total"])) for i in data["items"]]
        return cls(items=items, total=Decimal(data["total"]), currency=data["currency"],
                   item_count=data["item_count"],
                   problems=[CartProblem(**p) for p in data["problems"]])


def view_cart(uow: UnitOfWork, cart: Cart, currency: str) -> CartView:
    """Price the cart's lines at today's prices and say what changed since they were added."""
    products = uow.products.get_many(list(cart.lines))
    items, problems = [], []
    for line in cart.lines.values():
        product = products.get(line.product_id)
        if product is None:
            problems.append(CartProblem(line.product_id, "unavailable",
                                        f"{line.added_name} is no longer sold."))
            continue
        price = product.price.amount
        if price != line.added_price:
            problems.append(CartProblem(line.product_id, "price_changed",
                                        f"{product.name} now costs {price} "
                                        f"(was {line.added_price})."))
        if product.stock is not None and product.stock < line.quantity:
            problems.append(CartProblem(line.product_id, "out_of_stock",
                                        f"Only {product.stock} of {product.name} left."))
        items.append(CartItemView(line.product_id, product.name, price, line.quantity,
                                  price * line.quantity))
    return CartView(items=items, total=sum((i.line_total for i in items), Decimal("0.00")),
                    currency=currency, item_count=sum(i.quantity for i in items),
                    problems=problems)


def check_stock(product: Product, quantity: int) -> None:
    if product.stock is not None and quantity > product.stock:
        raise Conflict(f"Only {product.stock} of {product.name} in stock.",
                       {"quantity": [f"Only {product.stock} in stock."]})


@dataclass
class GetCart:
    """The caller's cart, from the cache when it holds it."""

    uow: UnitOfWork
    cache: CartCache
    currency: str

    def __call__(self, *, user_id: int) -> CartView:
        read = self.cache.get(user_id)
        if read.value is not None:
            return CartView.from_dict(read.value)
        with self.uow:
            view = view_cart(self.uow, self.uow.carts.get(user_id), self.currency)
        self.cache.put(user_id, view.to_dict(), read.generation)
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
            check_stock(product, cart.quantity_of(product_id) + quantity)
            cart.add(product_id, quantity, product.price.amount, product.name, self.clock.now())
            return self._finish(cart)


class ChangeCartItem(_ChangeCart):
    """Set a line's quantity, within stock; 0 removes the line."""

    def __call__(self, *, user_id: int, product_id: int, quantity: int) -> CartView:
        with self.uow:
            cart = self.uow.carts.get(user_id, for_update=True)
            if quantity > 0 and product_id in cart.lines:
                check_stock(self._product(product_id), quantity)
            cart.change(product_id, quantity)
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
