"""Demo data from plain values: users, categories and products, inserted in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import chain, islice

from shopcore.application.categories import changed
from shopcore.domain.catalog import Category, Product
from shopcore.domain.money import Money
from shopcore.domain.text import slugify, unique_slug
from shopcore.domain.user import User, normalize_email
from shopcore.ports.catalog_cache import CatalogCache
from shopcore.ports.clock import Clock
from shopcore.ports.security import PasswordHasher
from shopcore.ports.unit_of_work import UnitOfWork

BATCH = 1000
# From this many products on, one transaction with the index upkeep left to its end.
BULK_FROM = 10_000


@dataclass(frozen=True)
class DemoUser:
    username: str
    email: str


@dataclass(frozen=True)
class DemoCategory:
    name: str
    description: str


@dataclass(frozen=True)
class DemoProduct:
    name: str
    description: str
    price: Decimal
    stock: int
    category_id: int


def _batches(items: Iterable[DemoProduct], size: int) -> Iterator[list[DemoProduct]]:
    it = iter(items)
    while batch := list(islice(it, size)):
        yield batch


@dataclass
class CountProducts:
    """How many products the catalog holds."""

    uow: UnitOfWork

    def __call__(self) -> int:
        with self.uow:
            return int(self.uow.products.count())


@dataclass
class AddDemoUsers:
    """Customers sharing one password, hashed once; taken usernames or e-mails are skipped."""

    uow: UnitOfWork
    hasher: PasswordHasher
    clock: Clock

    def __call__(self, *, users: Iterable[DemoUser], password: str) -> int:
        User.check_new("demo-user", "demo@example.com", password)
        hashed = self.hasher.hash(password)
        added = 0
        with self.uow:
            for demo in users:
                username, email = demo.username[:150], normalize_email(demo.email)
                if self.uow.users.by_similar_username(username) or self.uow.users.by_email(email):
                    continue
                self.uow.users.add(User(username=username, email=email, password_hash=hashed,
                                        date_joined=self.clock.now()))
                added += 1
            self.uow.commit()
        return added


@dataclass
class AddDemoCategories:
    """`count` categories taken from `candidates`, skipping names in use; every category id."""

    uow: UnitOfWork
    cache: CatalogCache | None = None

    def __call__(self, *, candidates: Iterable[DemoCategory], count: int) -> list[int]:
        with self.uow:
            existing = list(self.uow.categories.all())
            names = {c.name.casefold() for c in existing}
            slugs = {c.slug for c in existing}
            found = iter(candidates)
            while count > 0 and (demo := next(found, None)) is not None:
                if demo.name.casefold() in names:
                    continue
                slug = unique_slug(slugify(demo.name), slugs)
                names.add(demo.name.casefold())
                slugs.add(slug)
                self.uow.categories.add(Category(name=demo.name, slug=slug,
                                                 description=demo.description))
                count -= 1
            self.uow.commit()
            changed(self.cache)
            return [c.id for c in self.uow.categories.all() if c.id is not None]


class _Slugs:
    """Slugs unique across the catalog: this load's, and the stored ones when there were any."""

    def __init__(self, *, check_stored: bool) -> None:
        self.check_stored = check_stored
        self.taken: set[str] = set()
        self.checked: set[str] = set()

    def new(self, uow: UnitOfWork, name: str) -> str:
        base = slugify(name)
        if self.check_stored and base not in self.checked:
            self.taken |= uow.products.slugs_like(base)
            self.checked.add(base)
        slug = unique_slug(base, self.taken)
        self.taken.add(slug)
        return slug


@dataclass
class AddDemoProducts:
    """Products with slugs unique across the catalog, added 1,000 at a time.

    Fewer than `bulk_from` products take one transaction per batch; a larger load takes one
    transaction in which the repository may leave its index upkeep to the end.
    """

    new_uow: Callable[[], UnitOfWork]
    clock: Clock
    currency: str
    bulk_from: int = BULK_FROM

    def __call__(self, *, products: Iterable[DemoProduct],
                 progress: Callable[[int], None] | None = None) -> int:
        slugs = _Slugs(check_stored=CountProducts(self.new_uow())() > 0)
        found = iter(products)
        head = list(islice(found, self.bulk_from))
        if len(head) < self.bulk_from:
            for batch in _batches(head, BATCH):
                with self.new_uow() as uow:
                    self._add(uow, batch, slugs, progress)
                    uow.commit()
            return len(head)
        added = 0
        with self.new_uow() as uow:
            with uow.products.bulk_loading():
                for batch in _batches(chain(head, found), BATCH):
                    self._add(uow, batch, slugs, progress)
                    uow.store_events()
                    added += len(batch)
            uow.commit()
        return added

    def _add(self, uow: UnitOfWork, batch: list[DemoProduct], slugs: _Slugs,
             progress: Callable[[int], None] | None) -> None:
        uow.products.add_many([self._product(demo, slugs.new(uow, demo.name)) for demo in batch])
        if progress is not None:
            progress(len(batch))

    def _product(self, demo: DemoProduct, slug: str) -> Product:
        now = self.clock.now()
        return Product(name=demo.name, slug=slug, description=demo.description,
                       price=Money(demo.price, self.currency), stock=demo.stock,
                       category_id=demo.category_id, created_at=now, updated_at=now)
