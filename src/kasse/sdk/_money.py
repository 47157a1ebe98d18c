"""Money on the wire: an integer count of minor units plus a currency, never a float.

`Amount.from_major` parses decimal text exactly and refuses anything finer than a minor unit
instead of rounding; arithmetic never mixes currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum


class Currency(StrEnum):
    """An ISO 4217 currency the ePayment API knows."""

    NOK = "NOK"  # Norwegian krone; the currency of Norwegian sales units
    DKK = "DKK"  # Danish krone; the currency of Danish sales units
    EUR = "EUR"  # euro; the currency of Finnish sales units
    SEK = "SEK"  # Swedish krona; card passthrough payments only
    USD = "USD"  # US dollar; card passthrough payments only
    GBP = "GBP"  # pound sterling; card passthrough payments only


# every currency above has two decimals: 100 minor units to the major unit
_DECIMALS = 2


@dataclass(frozen=True, slots=True)
class Amount:
    """An amount of money in minor units (øre, cent): `Amount(49900, Currency.NOK)` is 499.00 kr.

    Example:
        >>> Amount.nok(499_00) == Amount.from_major("499.00", "NOK")
        True
    """

    value: int
    currency: Currency

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise TypeError(f"an amount is an int of minor units, not {type(self.value).__name__}")
        if self.value < 0:
            raise ValueError("an amount cannot be negative")
        object.__setattr__(self, "currency", Currency(self.currency))

    @classmethod
    def nok(cls, minor: int) -> Amount:
        """Return `minor` øre in Norwegian kroner: `Amount.nok(499_00)` is 499.00 kr."""
        return cls(minor, Currency.NOK)

    @classmethod
    def dkk(cls, minor: int) -> Amount:
        """Return `minor` øre in Danish kroner."""
        return cls(minor, Currency.DKK)

    @classmethod
    def eur(cls, minor: int) -> Amount:
        """Return `minor` cent in euro."""
        return cls(minor, Currency.EUR)

    @classmethod
    def from_major(cls, major: str | Decimal | int, currency: Currency | str) -> Amount:
        """Return the amount written in major units, e.g. `Amount.from_major("499.00", "NOK")`.

        Raises:
            ValueError: the text is not a number, is negative, or is finer than one minor unit.
        """
        if isinstance(major, float):
            raise TypeError("floats cannot hold money exactly: pass a str or a Decimal")
        try:
            sign, digits, exponent = Decimal(major).as_tuple()
        except InvalidOperation:
            raise ValueError(f"not an amount: {major!r}") from None
        if not isinstance(exponent, int):
            raise ValueError(f"not an amount: {major!r}")
        # exact integer arithmetic: Decimal multiplication would round past 28 digits
        coefficient, shift = int("".join(map(str, digits)) or "0"), exponent + _DECIMALS
        if shift < 0 and coefficient % 10**-shift:
            raise ValueError(f"{major!r} is finer than one minor unit of {currency}")
        minor = coefficient * 10**shift if shift >= 0 else coefficient // 10**-shift
        return cls(-minor if sign else minor, Currency(currency))

    def to_major(self) -> Decimal:
        """Return the amount in major units, exactly: `Amount.nok(49900).to_major()` is `Decimal("499.00")`."""
        return Decimal(self.value).scaleb(-_DECIMALS)

    def _same_currency(self, other: Amount) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} and {other.currency}")

    def __add__(self, other: Amount) -> Amount:
        self._same_currency(other)
        return Amount(self.value + other.value, self.currency)

    def __sub__(self, other: Amount) -> Amount:
        self._same_currency(other)
        return Amount(self.value - other.value, self.currency)

    def __str__(self) -> str:
        return f"{self.to_major()} {self.currency}"
