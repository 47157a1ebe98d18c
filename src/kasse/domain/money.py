"""Money is an integer count of minor units plus a currency; arithmetic never mixes currencies.

Every amount rule of the ePayment contract (§4.2.2) lives here: which currency a market uses,
the smallest payment per currency and the largest value the API accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Currency(StrEnum):
    """An ISO 4217 code the ePayment API accepts for wallet payments."""

    NOK = "NOK"  # Norwegian krone; 100 øre to the krone
    DKK = "DKK"  # Danish krone; 100 øre to the krone
    EUR = "EUR"  # euro (Finland); 100 cent to the euro


class Market(StrEnum):
    """The country a sales unit sells in; it fixes the currency."""

    NO = "NO"  # Norway, Vipps
    DK = "DK"  # Denmark, MobilePay
    FI = "FI"  # Finland, MobilePay


CURRENCY_OF_MARKET: dict[Market, Currency] = {
    Market.NO: Currency.NOK,
    Market.DK: Currency.DKK,
    Market.FI: Currency.EUR,
}

# contract §4.2.2: the smallest payment per currency, in minor units
MINIMUM_PAYMENT: dict[Currency, int] = {Currency.NOK: 100, Currency.DKK: 1, Currency.EUR: 1}

# contract §4.2.2: the spec's schema maximum for `amount.value`
MAXIMUM_VALUE = 65_000_000


class CurrencyMismatchError(ValueError):
    """Two amounts in different currencies were combined."""


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of one currency, in minor units."""

    value: int
    currency: Currency

    @classmethod
    def zero(cls, currency: Currency) -> Money:
        """Return nothing, in the given currency."""
        return cls(0, currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatchError(f"{self.currency} and {other.currency}")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.value + other.value, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same(other)
        return Money(self.value - other.value, self.currency)

    def __le__(self, other: Money) -> bool:
        self._same(other)
        return self.value <= other.value

    def __lt__(self, other: Money) -> bool:
        self._same(other)
        return self.value < other.value

    def to_wire(self) -> dict[str, object]:
        """Return the contract's `Amount` object."""
        return {"currency": self.currency.value, "value": self.value}


def format_major(money: Money) -> str:
    """Render an amount for people, e.g. `499.00 NOK`; never used in arithmetic."""
    whole, cents = divmod(abs(money.value), 100)
    sign = "-" if money.value < 0 else ""
    return f"{sign}{whole}.{cents:02d} {money.currency.value}"


# how a Nordic screen writes each currency: `1 234,50 kr`, `1 234,50 kr.`, `1 234,50 €`
_LOCAL_SUFFIX: dict[Currency, str] = {Currency.NOK: " kr", Currency.DKK: " kr.", Currency.EUR: " €"}


def format_local(money: Money) -> str:
    """Render an amount as a Nordic till or app shows it, e.g. `1 234,50 kr`; never used in arithmetic."""
    whole, cents = divmod(abs(money.value), 100)
    sign = "−" if money.value < 0 else ""
    grouped = f"{whole:,}".replace(",", "\u202f")
    return f"{sign}{grouped},{cents:02d}{_LOCAL_SUFFIX[money.currency]}"
