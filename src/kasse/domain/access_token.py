"""What an access token says about its sales unit, apart from how it is signed.

A token names its sales unit's MSN and carries a short hash of each of its subscription keys, so a
request's key and MSN headers can be checked against the token alone, without a database read.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass


@functools.lru_cache(maxsize=1024)  # every merchant request checks its key: a few keys, asked for again and again
def key_hash(subscription_key: str) -> str:
    """Return the short hash a token carries for one subscription key."""
    return hashlib.sha256(subscription_key.encode()).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class Claims:
    """A verified token: its sales unit, the hashes of that unit's keys, and when it expires (epoch seconds)."""

    msn: str
    key_hashes: tuple[str, ...]
    expires: int


@dataclass(frozen=True, slots=True)
class PartnerClaims:
    """A verified accounting partner's token (`/miami/v1/token`): good for the Report API only."""

    partner_id: str
    expires: int


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """A freshly signed token with its validity window (epoch seconds), as `/accesstoken/get` reports it."""

    token: str
    not_before: int
    expires_on: int


class InvalidTokenError(Exception):
    """The bearer token is malformed, forged or expired."""
