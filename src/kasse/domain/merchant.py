"""A sales unit: its MSN, market, hashed credentials and what it is allowed to do.

Neither the client secret nor the subscription keys are kept in clear: a stolen database file does not
let anyone fetch tokens or call the API as a sales unit.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime

from kasse.domain.money import CURRENCY_OF_MARKET, Currency, Market

# the rules for what a sales unit may be called: the control API's models and the CLI both use these
MSN_PATTERN = r"^[0-9]{4,10}$"  # a Merchant Serial Number: 4 to 10 digits
NAME_MAX_LENGTH = 100  # characters of a sales unit's name


class MerchantFieldError(ValueError):
    """A sales unit cannot have this value; `field` names it as the control API does (`msn`, `name`)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def check_msn(msn: str) -> None:
    """Refuse an MSN that is not 4 to 10 digits.

    Raises:
        MerchantFieldError: naming `msn`.
    """
    if not re.fullmatch(MSN_PATTERN, msn):
        raise MerchantFieldError("msn", f"an MSN is 4 to 10 digits, not {msn[:20]!r}")


def check_name(name: str) -> None:
    """Refuse an empty name, or one longer than `NAME_MAX_LENGTH` characters.

    Raises:
        MerchantFieldError: naming `name`.
    """
    if not 1 <= len(name) <= NAME_MAX_LENGTH:
        raise MerchantFieldError("name", f"a name is 1 to {NAME_MAX_LENGTH} characters, not {len(name)}")


def hash_secret(secret: str) -> str:
    """Hash a client secret or subscription key for storage (SHA-256, hex).

    kasse generates these with 128 bits of entropy or more, so a fast hash suffices;
    slow password hashes guard low-entropy secrets chosen by people.
    """
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Merchant:
    """A sales unit with its key set (contract §1)."""

    msn: str
    name: str
    market: Market
    client_id: str
    client_secret_hash: str
    subscription_key_hashes: tuple[str, str]  # `hash_secret` of the primary and the secondary key
    created_at: datetime
    push_allowed: bool = True
    partial_capture_allowed: bool = True
    long_living_allowed: bool = True

    @property
    def currency(self) -> Currency:
        """Return the only currency this sales unit can take."""
        return CURRENCY_OF_MARKET[self.market]

    def secret_matches(self, secret: str) -> bool:
        """Compare a presented client secret with the stored hash in constant time."""
        return hmac.compare_digest(hash_secret(secret), self.client_secret_hash)

    def owns_key(self, subscription_key: str) -> bool:
        """Tell whether a subscription key is one of this sales unit's two."""
        presented = hash_secret(subscription_key)
        return any(hmac.compare_digest(presented, stored) for stored in self.subscription_key_hashes)

    @property
    def token_key_hashes(self) -> tuple[str, ...]:
        """Return what an access token carries for the keys: each one's `access_token.key_hash`, cut from its hash."""
        return tuple(stored[:16] for stored in self.subscription_key_hashes)
