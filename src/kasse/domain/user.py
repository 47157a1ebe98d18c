"""A test user of the simulated wallet: phone number, name, birth date, market and one payment card.

Like the test environment's users (contract §9) a user belongs to one market, has exactly one card
that cannot change, and may only pay sales units of its own market. Defaults for a new user derive
from the MSISDN alone, so the same number always gets the same name, birth date and card.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from kasse.domain.money import Market

MSISDN_PATTERN = r"^\d{9,15}$"  # contract §4.2.1: country code + subscriber number, digits only
MSISDN = re.compile(MSISDN_PATTERN)
NAME_MAX_LENGTH = 100  # characters of a user's full name
EARLIEST_BIRTH_DATE = date(1900, 1, 1)

# the country code that names a market; the first match wins, longest codes first
MARKET_OF_PREFIX: tuple[tuple[str, Market], ...] = (("358", Market.FI), ("47", Market.NO), ("45", Market.DK))

CARD_LIFETIME = timedelta(days=4 * 365)

_FIRST = ("Kari", "Ola", "Ingrid", "Lars", "Sofie", "Magnus", "Nora", "Emil", "Freja", "Mikkel", "Aino", "Eero")
_LAST = ("Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Jensen", "Nielsen", "Virtanen", "Berg", "Dahl")


class Behaviour(StrEnum):
    """How the wallet answers a payment request when no person is at the screen."""

    MANUAL = "MANUAL"  # a person answers in the wallet (the default)
    AUTO_APPROVE = "AUTO_APPROVE"  # approve after the user's delay, measured on the injected clock
    ALWAYS_REJECT = "ALWAYS_REJECT"  # reject every request as it arrives
    NEVER_ANSWER = "NEVER_ANSWER"  # leave every request alone, so it expires


class WalletAction(StrEnum):
    """What a behaviour does to a request once it is due."""

    APPROVE = "APPROVE"  # approve as the customer would
    REJECT = "REJECT"  # reject as the customer would


# behaviour → (action, whether the user's delay applies); None: nothing happens by itself
SCHEDULE: dict[Behaviour, tuple[WalletAction, bool] | None] = {
    Behaviour.MANUAL: None,
    Behaviour.NEVER_ANSWER: None,
    Behaviour.AUTO_APPROVE: (WalletAction.APPROVE, True),
    Behaviour.ALWAYS_REJECT: (WalletAction.REJECT, False),
}


@dataclass(frozen=True, slots=True)
class PaymentCard:
    """The user's one card; only its masked number and expiry are ever shown."""

    brand: str
    last4: str
    expires: date  # the last day the card is valid

    @property
    def masked(self) -> str:
        """Return the number as the wallet shows it, e.g. `•••• 5678`."""
        return f"•••• {self.last4}"

    @property
    def expiry(self) -> str:
        """Return the expiry as printed on the card, e.g. `03/29`."""
        return f"{self.expires.month:02d}/{self.expires.year % 100:02d}"


@dataclass(frozen=True, slots=True)
class User:
    """A wallet user; `qr_token` names the user in the tokenized personal QR."""

    msisdn: str
    name: str
    birth_date: date
    market: Market
    card: PaymentCard
    qr_token: str
    qr_issued_at: datetime
    created_at: datetime
    behaviour: Behaviour = Behaviour.MANUAL
    behaviour_delay: int = 0  # seconds after arrival before an AUTO_APPROVE behaviour answers


def market_of(msisdn: str) -> Market | None:
    """Return the market whose country code starts the number, or None."""
    return next((market for prefix, market in MARKET_OF_PREFIX if msisdn.startswith(prefix)), None)


def _digest(msisdn: str) -> int:
    return int.from_bytes(hashlib.sha256(msisdn.encode()).digest()[:8], "big")


def default_name(msisdn: str) -> str:
    """Return a stable made-up name for a number."""
    n = _digest(msisdn)
    return f"{_FIRST[n % len(_FIRST)]} {_LAST[(n // 97) % len(_LAST)]}"


def default_birth_date(msisdn: str) -> date:
    """Return a stable adult birth date (1960–1999) for a number."""
    return date(1960, 1, 1) + timedelta(days=_digest(msisdn) % (40 * 365))


def card_for(msisdn: str, issued: date) -> PaymentCard:
    """Return the card a new user gets: a Visa ending in the number's last four digits."""
    return PaymentCard("Visa", msisdn[-4:], issued + CARD_LIFETIME)


def check_name(name: str) -> None:
    """Refuse an empty name, or one longer than `NAME_MAX_LENGTH` characters.

    Raises:
        ValueError: saying how long a name may be.
    """
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise ValueError(f"a name is 1 to {NAME_MAX_LENGTH} characters, not {len(name)}")


def check_birth_date(birth_date: date, today: date) -> None:
    """Refuse a birth date after `today` (kasse's, not the wall clock's) or before 1900.

    Raises:
        ValueError: saying which bound it crossed.
    """
    if birth_date > today:
        raise ValueError(f"a birth date cannot be in the future (today is {today.isoformat()})")
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValueError(f"a birth date is {EARLIEST_BIRTH_DATE.isoformat()} or later")


def age_on(birth_date: date, today: date) -> int:
    """Return the age in whole years on `today`."""
    before_birthday = (today.month, today.day) < (birth_date.month, birth_date.day)
    return today.year - birth_date.year - int(before_birthday)


def may_pay(user: User, market: Market, minimum_age: int | None, today: date) -> bool:
    """Tell whether the user may pay a sales unit of `market` that asks for `minimum_age` (contract §4.10.2, 7010)."""
    old_enough = minimum_age is None or age_on(user.birth_date, today) >= minimum_age
    return user.market is market and old_enough


def scheduled_action(user: User, arrived_at: datetime) -> tuple[WalletAction, datetime] | None:
    """Return what the user's behaviour does to a request that arrived at `arrived_at`, and when."""
    plan = SCHEDULE[user.behaviour]
    if plan is None:
        return None
    action, delayed = plan
    return action, arrived_at + timedelta(seconds=user.behaviour_delay if delayed else 0)
