"""The catalog the query set is labelled against, built the same way on every run (seeded)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal

SEED = 9
BRANDS = ("Acme", "Zenith", "Nordik", "Solaris", "Vento", "Halcyon", "Brisa", "Kestrel")
KINDS: dict[str, tuple[str, ...]] = {
    "Computers": ("Laptop", "Desktop Tower", "Monitor", "Keyboard", "Mouse", "Webcam"),
    "Phones": ("Smartphone", "Phone Case", "Charger", "Screen Protector"),
    "Audio": ("Headphones", "Speaker", "Microphone", "Turntable"),
    "Kitchen": ("Espresso Machine", "Kettle", "Toaster", "Blender", "Café Grinder"),
    "Garden": ("Lawn Mower", "Hose Reel", "Pruning Shears", "Wheelbarrow"),
    "Books": ("Cookbook", "Atlas", "Novel", "Encyclopedia"),
    "Toys": ("Puzzle", "Robot Kit", "Teddy Bear", "Kite"),
    "Sports": ("Tennis Racket", "Yoga Mat", "Bicycle Helmet", "Football"),
}
QUALITIES = ("sturdy", "compact", "elegant", "lightweight", "durable", "classic")
PRICES = (Decimal("12.50"), Decimal("39.00"), Decimal("79.90"), Decimal("149.00"),
          Decimal("349.00"), Decimal("799.00"), Decimal("1299.00"))


@dataclass(frozen=True)
class Item:
    """One product of the generated catalog."""

    name: str
    kind: str
    category: str
    description: str
    price: Decimal
    stock: int | None


def article(word: str) -> str:
    return "An" if word[0] in "aeiou" else "A"


def generate() -> list[Item]:
    """Three brands of every kind, with seeded descriptions, prices and stock."""
    rng = random.Random(SEED)
    items: list[Item] = []
    for category, kinds in KINDS.items():
        for kind in kinds:
            for brand in rng.sample(BRANDS, 3):
                quality = rng.choice(QUALITIES)
                items.append(Item(
                    name=f"{brand} {kind}", kind=kind, category=category,
                    description=(f"{article(quality)} {quality} {kind.lower()} from {brand},"
                                 " for everyday use."),
                    price=rng.choice(PRICES), stock=rng.choice((0, 3, 12, None))))
    return items
