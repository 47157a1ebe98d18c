"""Wallet test users: creating them (with stable defaults), the demo users, behaviours, personal QR content."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from kasse.domain.money import Market
from kasse.domain.personal_qr import v1_content, v2_content
from kasse.domain.user import (
    MSISDN,
    Behaviour,
    User,
    card_for,
    check_birth_date,
    check_name,
    default_birth_date,
    default_name,
    market_of,
)
from kasse.services.ports import Clock, Ids, UnitOfWork

MAX_BEHAVIOUR_DELAY = 3600


@dataclass(frozen=True, slots=True)
class UserSpec:
    """What a caller may choose about a new test user; the rest derives from the number."""

    msisdn: str
    name: str | None = None
    birth_date: date | None = None
    market: Market | None = None


# seeded on first start: two adults and one under 18 in Norway, one adult in Denmark
DEMO_USERS: tuple[UserSpec, ...] = (
    UserSpec("4712345678", "Kari Nordmann", date(1985, 4, 12)),
    UserSpec("4798765432", "Ola Nordmann", date(1990, 9, 3)),
    UserSpec("4791234567", "Emma Nordmann", date(2012, 6, 20)),
    UserSpec("4512345678", "Mette Jensen", date(1988, 11, 30)),
)


class UserError(ValueError):
    """A user cannot be created or changed as asked; `field` names the value at fault as the control API does."""

    def __init__(self, message: str, field: str = "msisdn") -> None:
        super().__init__(message)
        self.field = field


class UserExistsError(UserError):
    """The number is taken."""


class UnknownUserError(UserError):
    """No user has the number."""


def create_user(uow: UnitOfWork, clock: Clock, ids: Ids, spec: UserSpec) -> User:
    """Create a test user with one card and a tokenized personal QR.

    Raises:
        UserError: the number is not an MSISDN, is taken, or no market was given or can be told from it;
            the name is empty or too long; the birth date is in the future on kasse's clock.
    """
    if not MSISDN.fullmatch(spec.msisdn):
        raise UserError("msisdn must be 9 to 15 digits: country code and number, no + or spaces")
    now = clock.now()
    _check_optional(spec, now.date())
    if uow.users.get(spec.msisdn) is not None:
        raise UserExistsError(f"a user with msisdn {spec.msisdn} already exists")
    market = spec.market or market_of(spec.msisdn)
    if market is None:
        raise UserError("the number's country code names no market (47, 45, 358); give the market", field="market")
    user = User(
        msisdn=spec.msisdn,
        name=spec.name or default_name(spec.msisdn),
        birth_date=spec.birth_date or default_birth_date(spec.msisdn),
        market=market,
        card=card_for(spec.msisdn, now.date()),
        qr_token=ids.token(),
        qr_issued_at=now,
        created_at=now,
    )
    uow.users.add(user)
    return user


def _check_optional(spec: UserSpec, today: date) -> None:
    try:
        if spec.name is not None:
            check_name(spec.name)
    except ValueError as exc:
        raise UserError(str(exc), field="name") from None
    try:
        if spec.birth_date is not None:
            check_birth_date(spec.birth_date, today)
    except ValueError as exc:
        raise UserError(str(exc), field="birthDate") from None


def seed_demo_users(uow: UnitOfWork, clock: Clock, ids: Ids) -> list[User]:
    """Create the demo users that do not exist yet; return those created."""
    return [create_user(uow, clock, ids, spec) for spec in DEMO_USERS if uow.users.get(spec.msisdn) is None]


def set_behaviour(uow: UnitOfWork, msisdn: str, behaviour: Behaviour, delay: int = 0) -> User:
    """Choose how the user's wallet answers requests from now on.

    Raises:
        UnknownUserError: no such user.
        UserError: the delay is out of range.
    """
    user = uow.users.get(msisdn)
    if user is None:
        raise UnknownUserError(f"no user with msisdn {msisdn}")
    if not 0 <= delay <= MAX_BEHAVIOUR_DELAY:
        raise UserError(f"delaySeconds must be between 0 and {MAX_BEHAVIOUR_DELAY}", field="delaySeconds")
    changed = replace(user, behaviour=behaviour, behaviour_delay=delay)
    uow.users.update(changed)
    return changed


def personal_qr_contents(user: User) -> dict[str, str]:
    """Return the user's personal QR content in both formats, keyed by version."""
    return {"2.0": v2_content(user.qr_token), "1.0": v1_content(user.msisdn)}
