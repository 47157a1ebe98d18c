"""Catalogue products, cart lines and their VAT: all the POS's money arithmetic, in integer minor units.

Prices include VAT. A line's VAT is taken out of its total (`total * rate / (10000 + rate)`, rounded half
up), so the receipt's lines always add up to what the customer pays.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kasse.domain.money import Currency, Money, format_local

VAT_RATES = (2500, 1500, 1200, 0)  # Norwegian VAT in hundredths of a percent: standard, food, transport, none
MAX_QUANTITY = 99


@dataclass(frozen=True, slots=True)
class Product:
    """A catalogue entry: its price includes VAT at `vat_rate` (hundredths of a percent)."""

    id: str
    name: str
    price: int
    vat_rate: int = 2500


@dataclass(frozen=True, slots=True)
class CartLine:
    """Some quantity of one product, with its totals."""

    product: Product
    quantity: int

    @property
    def total(self) -> int:
        return self.product.price * self.quantity

    @property
    def vat(self) -> int:
        return vat_included(self.total, self.product.vat_rate)

    @property
    def total_excluding_vat(self) -> int:
        return self.total - self.vat


def kr(minor: int) -> str:
    """Write øre as a Norwegian till does: `1 234,50 kr`."""
    return format_local(Money(minor, Currency.NOK))


def vat_included(total: int, rate: int) -> int:
    """Return the VAT inside a VAT-inclusive `total`, rounded half up to a whole minor unit."""
    return (2 * total * rate + 10000 + rate) // (2 * (10000 + rate))


def allocate(amount: int, weights: Sequence[int]) -> list[int]:
    """Split `amount` in proportion to non-negative `weights` (largest remainder); the parts add up to `amount`."""
    whole = sum(weights)
    if whole <= 0:
        return [amount] + [0] * (len(weights) - 1) if weights else []
    sign, magnitude = (-1, -amount) if amount < 0 else (1, amount)
    parts = [magnitude * w // whole for w in weights]
    by_remainder = sorted(range(len(weights)), key=lambda i: (-(magnitude * weights[i] % whole), i))
    for i in by_remainder[: magnitude - sum(parts)]:
        parts[i] += 1
    return [sign * part for part in parts]


@dataclass(frozen=True, slots=True)
class Cart:
    """The lines on one till, in the order they were added."""

    lines: tuple[CartLine, ...] = ()

    @property
    def total(self) -> int:
        return sum(line.total for line in self.lines)

    @property
    def vat(self) -> int:
        return sum(line.vat for line in self.lines)

    @property
    def count(self) -> int:
        return sum(line.quantity for line in self.lines)


def build_cart(quantities: Mapping[str, int], catalogue: Sequence[Product]) -> Cart:
    """Return the cart for `{product id: quantity}`; unknown products and empty lines drop out."""
    by_id = {p.id: p for p in catalogue}
    return Cart(tuple(CartLine(by_id[pid], qty) for pid, qty in quantities.items() if pid in by_id and qty > 0))


def change_quantity(quantities: Mapping[str, int], product_id: str, delta: int) -> dict[str, int]:
    """Return new quantities with `delta` added to one product, kept within 0..MAX_QUANTITY."""
    changed = dict(quantities)
    changed[product_id] = max(0, min(MAX_QUANTITY, changed.get(product_id, 0) + delta))
    return {pid: qty for pid, qty in changed.items() if qty > 0}


SEED_CATALOGUE = (
    Product("espresso", "Espresso", 3900, 1500),
    Product("cappuccino", "Cappuccino", 4900, 1500),
    Product("latte", "Caffè latte", 5200, 1500),
    Product("tea", "Green tea", 3500, 1500),
    Product("croissant", "Croissant", 3200, 1500),
    Product("cinnamon-bun", "Cinnamon bun", 4200, 1500),
    Product("sandwich", "Ham & cheese sandwich", 8900, 1500),
    Product("water", "Sparkling water", 2900, 1500),
    Product("mug", "kasse mug", 14900, 2500),
    Product("beans", "Coffee beans 250 g", 12900, 1500),
    Product("tote", "Tote bag", 9900, 2500),
    Product("decline", "Test: declined (1,51)", 151, 2500),
)
