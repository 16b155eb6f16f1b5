"""Demo data from plain values: users, categories and products, inserted in bulk."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import islice

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
                if self.uow.users.by_username(username) or self.uow.users.by_email(email):
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


@dataclass
class AddDemoProducts:
    """Products with slugs unique across the catalog, one transaction per batch of 1,000."""

    new_uow: Callable[[], UnitOfWork]
    clock: Clock
    currency: str

    def __call__(self, *, products: Iterable[DemoProduct],
                 progress: Callable[[int], None] | None = None) -> int:
        check_existing = CountProducts(self.new_uow())() > 0
        taken: set[str] = set()
        checked: set[str] = set()
        added = 0
        for batch in _batches(products, BATCH):
            with self.new_uow() as uow:
                stored = []
                for demo in batch:
                    base = slugify(demo.name)
                    if check_existing and base not in checked:
                        taken |= uow.products.slugs_like(base)
                        checked.add(base)
                    slug = unique_slug(base, taken)
                    taken.add(slug)
                    stored.append(self._product(demo, slug))
                uow.products.add_many(stored)
                uow.commit()
            added += len(batch)
            if progress is not None:
                progress(len(batch))
        return added

    def _product(self, demo: DemoProduct, slug: str) -> Product:
        now = self.clock.now()
        return Product(name=demo.name, slug=slug, description=demo.description,
                       price=Money(demo.price, self.currency), stock=demo.stock,
                       category_id=demo.category_id, created_at=now, updated_at=now)
