"""The till's staff: who may sign in, with which role, and what each role may do.

A *cashier* sells and cancels; a *manager* also refunds, edits the catalogue and settings, reconciles and
closes the day. PINs and passwords are kept only as argon2id hashes, and each failed sign-in beyond the
first few locks the account for longer (a 4-digit PIN is otherwise guessed in minutes).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Role(StrEnum):
    """What a staff member may do at the till."""

    CASHIER = "cashier"  # sells and cancels payments at the till
    MANAGER = "manager"  # everything a cashier does, plus refunds, catalogue, settings, reconciliation, end of day


RANK = {Role.CASHIER: 1, Role.MANAGER: 2}


def allows(role: Role, needed: Role) -> bool:
    """Tell whether someone with `role` may do what needs `needed`."""
    return RANK[role] >= RANK[needed]


class StaffError(ValueError):
    """A name, PIN or password that cannot be used; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class StaffMember:
    name: str
    role: Role
    created_at: float


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who is at the till: a staff member with a session, or the demo manager of a loopback test instance."""

    name: str
    role: Role
    demo: bool = False


# a loopback test instance opens the till as this manager, so the quick start needs no account (README)
DEMO_STAFF = SignedIn("Demo manager", Role.MANAGER, demo=True)

NAME_LENGTH = 40
PIN = re.compile(r"[0-9]{4,12}")
PASSWORD_LENGTH = (8, 128)
FREE_FAILURES = 5  # failed sign-ins before the account locks
FIRST_LOCK, LONGEST_LOCK = 30.0, 900.0  # seconds; the lock doubles with each further failure
SESSION_LIFETIME = 12 * 3600.0  # seconds: a shift


def check_name(name: str) -> str:
    """Return the name as stored (trimmed).

    Raises:
        StaffError: empty, too long, or holding control characters.
    """
    name = name.strip()
    if not name or len(name) > NAME_LENGTH or any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise StaffError(f"a name of 1 to {NAME_LENGTH} printable characters")
    return name


def check_secret(secret: str) -> None:
    """Accept a PIN (4 to 12 digits) or a password (8 to 128 characters, not all digits).

    Raises:
        StaffError: neither.
    """
    if PIN.fullmatch(secret):
        return
    if secret.isdigit() or not PASSWORD_LENGTH[0] <= len(secret) <= PASSWORD_LENGTH[1]:
        raise StaffError("a PIN of 4 to 12 digits or a password of 8 to 128 characters")


def lock_seconds(failures: int) -> float:
    """Return how long an account stays locked after its `failures`-th failed sign-in in a row."""
    if failures < FREE_FAILURES:
        return 0.0
    return float(min(LONGEST_LOCK, FIRST_LOCK * 2 ** (failures - FREE_FAILURES)))


# argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane): ~30 ms on an idle core, a small cost for
# a sign-in and a large one for a guesser, who also meets the lock above; hashes made with other parameters verify
_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
_NOBODY = _HASHER.hash("no such staff member")  # verified against for unknown names, so they take as long


def hash_secret(secret: str) -> str:
    return _HASHER.hash(secret)


def secret_matches(stored: str | None, secret: str) -> bool:
    """Check a PIN or password against its stored hash (an unknown name checks against a dummy, in the same time)."""
    try:
        return _HASHER.verify(stored or _NOBODY, secret) and stored is not None
    except (VerificationError, InvalidHashError):
        return False
