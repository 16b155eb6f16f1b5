"""Demo data with Faker: users, categories and products shaped like the seed's populate_data."""

from __future__ import annotations

import random
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from faker import Faker
from faker.exceptions import UniquenessException

from shopcore.domain.catalog import MAX_CATEGORY_NAME, MAX_PRODUCT_NAME, Category, Product
from shopcore.domain.money import Money
from shopcore.domain.text import slugify, unique_slug
from shopcore.domain.user import User, normalize_email

BATCH = 1000


class DemoData:
    """Writes fake data through the repositories: one unit of work per batch, seeded."""

    def __init__(self, container: Any, seed: int) -> None:
        self.new_uow = container.adapters.uow
        self.hasher = container.adapters.hasher()
        self.clock = container.core.clock()
        self.currency: str = container.settings().currency
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets

    def product_count(self) -> int:
        with self.new_uow() as uow:
            return int(uow.products.count())

    def add_users(self, count: int, password: str) -> int:
        """`count` customers sharing one password hash; taken usernames or e-mails are skipped."""
        if count <= 0:
            return 0
        User.check_new("demo-user", "demo@example.com", password)
        hashed = self.hasher.hash(password)
        added = 0
        with self.new_uow() as uow:
            for i in range(count):
                username = f"user{i}_{self.fake.user_name()}"[:150]
                email = normalize_email(self.fake.email())
                if uow.users.by_username(username) or uow.users.by_email(email):
                    continue
                uow.users.add(User(username=username, email=email, password_hash=hashed,
                                   date_joined=self.clock.now()))
                added += 1
            uow.commit()
        return added

    def add_categories(self, count: int) -> list[int]:
        """`count` new categories named by unique capitalized words; returns every category id."""
        with self.new_uow() as uow:
            existing = list(uow.categories.all())
            names = {c.name.casefold() for c in existing}
            slugs = {c.slug for c in existing}
            for _ in range(count):
                name = self._category_name(names)
                slug = unique_slug(slugify(name), slugs)
                names.add(name.casefold())
                slugs.add(slug)
                uow.categories.add(Category(name=name, slug=slug,
                                            description=self.fake.sentence()))
            uow.commit()
            return [c.id for c in uow.categories.all() if c.id is not None]

    def _category_name(self, taken: set[str]) -> str:
        while True:
            try:
                name: str = self.fake.unique.word().capitalize()
            except UniquenessException:
                name = f"{self.fake.word().capitalize()} {self.fake.word()} {self.fake.word()}"
            if name.casefold() not in taken:
                return name[:MAX_CATEGORY_NAME]

    def add_products(
        self,
        count: int,
        category_ids: list[int],
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """`count` products spread uniformly over `category_ids`, inserted in batches."""
        check_existing = self.product_count() > 0
        taken: set[str] = set()
        checked: set[str] = set()
        for start in range(0, count, BATCH):
            size = min(BATCH, count - start)
            with self.new_uow() as uow:
                batch = []
                for _ in range(size):
                    name = self.fake.catch_phrase()[:MAX_PRODUCT_NAME]
                    base = slugify(name)
                    if check_existing and base not in checked:
                        taken |= uow.products.slugs_like(base)
                        checked.add(base)
                    slug = unique_slug(base, taken)
                    taken.add(slug)
                    batch.append(self._product(name, slug, category_ids))
                uow.products.add_many(batch)
                uow.commit()
            if progress is not None:
                progress(size)
        return count

    def _product(self, name: str, slug: str, category_ids: list[int]) -> Product:
        now = self.clock.now()
        return Product(
            name=name,
            slug=slug,
            description=self.fake.paragraph(nb_sentences=5),
            price=Money(Decimal(self.rng.randint(100, 100_000)) / 100, self.currency),
            stock=self.rng.randint(1_000, 10_000),
            category_id=category_ids[self.rng.randrange(len(category_ids))],
            created_at=now,
            updated_at=now,
        )
