"""`shopcore populate-data`: Faker demo data, the same for the same seed."""

from __future__ import annotations

import random
import secrets
import sys
import time
from collections.abc import Iterator
from decimal import Decimal

import click
from faker import Faker
from faker.exceptions import UniquenessException

from shopcore.application.demo_data import DemoCategory, DemoProduct, DemoUser
from shopcore.domain.catalog import MAX_CATEGORY_NAME, MAX_PRODUCT_NAME
from shopcore.entrypoints.cli.context import shop, stored_settings

PROGRESS_FROM = 2_000
# Products people search a shop for, so the demo catalog answers `?q=laptop` as a shop would.
KINDS = ("Laptop", "Keyboard", "Mouse", "Monitor", "Headphones", "Speaker", "Webcam",
         "Microphone", "Desk lamp", "Office chair", "Standing desk", "Backpack", "Notebook",
         "Fountain pen", "Coffee grinder", "Kettle", "Water bottle", "Running shoes", "Jacket",
         "Tent", "Sleeping bag", "Camera", "Tripod", "Smartwatch", "Tablet", "Phone case",
         "Charger", "Power bank", "USB-C hub", "Router")
QUALITIES = ("Compact", "Wireless", "Ergonomic", "Classic", "Lightweight", "Premium", "Rugged",
             "Slim", "Portable", "Smart", "Quiet", "Foldable", "Vintage", "Pro", "Eco")


class FakeShop:
    """Seeded fake users, categories and products shaped like the seed's populate_data."""

    def __init__(self, seed: int) -> None:
        self.fake = Faker("en_US")
        self.fake.seed_instance(seed)
        self.rng = random.Random(seed)  # noqa: S311 - demo data, not secrets

    def users(self, count: int) -> list[DemoUser]:
        return [DemoUser(username=f"user{i}_{self.fake.user_name()}", email=self.fake.email())
                for i in range(count)]

    def categories(self) -> Iterator[DemoCategory]:
        """Unique capitalized words, then longer names once Faker runs out of words."""
        while True:
            try:
                name: str = self.fake.unique.word().capitalize()
            except UniquenessException:
                name = f"{self.fake.word().capitalize()} {self.fake.word()} {self.fake.word()}"
            yield DemoCategory(name=name[:MAX_CATEGORY_NAME], description=self.fake.sentence())

    def products(self, count: int, category_ids: list[int]) -> Iterator[DemoProduct]:
        """`count` products spread uniformly over `category_ids`."""
        for _ in range(count):
            kind, quality = self.rng.choice(KINDS), self.rng.choice(QUALITIES)
            yield DemoProduct(
                name=f"{quality} {kind.lower()} {self.fake.word()}"[:MAX_PRODUCT_NAME],
                description=self.fake.paragraph(nb_sentences=5),
                price=Decimal(self.rng.randint(100, 100_000)) / 100,
                stock=self.rng.randint(1_000, 10_000),
                category_id=category_ids[self.rng.randrange(len(category_ids))])


@click.command("populate-data")
@click.option("--users", default=10, show_default=True, type=click.IntRange(min=0))
@click.option("--categories", default=20, show_default=True, type=click.IntRange(min=0))
@click.option("--products", default=10_000, show_default=True, type=click.IntRange(min=0))
@click.option("--seed", default=42, show_default=True, help="Same seed, same data.")
@click.option("--password", "--user-password", "password", default=None,
              help="The password every demo user shares [default: a random one, not shown, "
                   "so nobody can sign in as them].")
@click.option("--if-empty", is_flag=True, help="Do nothing when the catalog has products.")
def populate_data(users: int, categories: int, products: int, seed: int,
                  password: str | None, if_empty: bool) -> None:
    """Add fake users, categories and products.

    Faker data for demos and load tests, the same for the same --seed.
    """
    settings = stored_settings("populate")
    started = time.perf_counter()
    fake = FakeShop(seed)
    with shop(settings) as app:
        existing = app.count_products() if if_empty else 0
        if existing:
            click.echo(f"the catalog already has {existing} products; nothing to do (--if-empty)")
            return
        chosen = password or secrets.token_urlsafe(24)
        added_users = (app.add_demo_users(users=fake.users(users), password=chosen)
                       if users else 0)
        category_ids = app.add_demo_categories(candidates=fake.categories(), count=categories)
        if products and not category_ids:
            raise click.ClickException("there are no categories to put products in: "
                                       "pass --categories 1 or more.")
        made = fake.products(products, category_ids)
        if products >= PROGRESS_FROM:
            with click.progressbar(length=products, label="products", file=sys.stderr) as bar:
                app.add_demo_products(products=made, progress=bar.update)
        else:
            app.add_demo_products(products=made)
        # The bulk insert records no events, so nothing else would index these products.
        if products >= PROGRESS_FROM:
            with click.progressbar(length=app.count_products(), label="search index",
                                   file=sys.stderr) as bar:
                indexed = app.rebuild_search_index(progress=bar.update)
        else:
            indexed = app.rebuild_search_index()
    click.echo(f"created {added_users} users, {categories} categories, {products} products "
               f"in {time.perf_counter() - started:.1f}s; {indexed} indexed for search")
    if added_users and password is None:
        click.echo("the demo users' password is random and was not shown: pass --password "
                   "to sign in as them")
