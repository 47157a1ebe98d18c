"""Sales units: creating them with fresh credentials, and checking presented credentials."""

from __future__ import annotations

from dataclasses import dataclass

from kasse.domain.merchant import Merchant, check_msn, check_name, hash_secret
from kasse.domain.money import Market
from kasse.services.ledger_booking import open_ledger
from kasse.services.ports import Clock, Ids, UnitOfWork


@dataclass(frozen=True, slots=True)
class NewMerchant:
    """A created sales unit with its credentials in clear, shown once (only their hashes are stored)."""

    merchant: Merchant
    client_secret: str
    subscription_keys: tuple[str, str]  # primary, secondary


@dataclass(frozen=True, slots=True)
class MerchantSpec:
    """What a caller may choose about a new sales unit."""

    name: str = "kasse demo shop"
    market: Market = Market.NO
    msn: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    subscription_key: str | None = None
    push_allowed: bool = True
    partial_capture_allowed: bool = True
    long_living_allowed: bool = True


class MerchantExistsError(Exception):
    """The MSN or client_id asked for is taken."""


def _next_msn(uow: UnitOfWork, ids: Ids) -> str:
    # six digits like real MSNs; retry on the rare collision
    while True:
        msn = str(100000 + int(ids.token().encode().hex(), 16) % 900000)
        if uow.merchants.get(msn) is None:
            return msn


def create_merchant(uow: UnitOfWork, clock: Clock, ids: Ids, spec: MerchantSpec) -> NewMerchant:
    """Create a sales unit with generated (or given) credentials.

    Raises:
        MerchantFieldError: the given MSN is not 4 to 10 digits, or the name is empty or too long.
        MerchantExistsError: the given MSN or client_id is taken.
    """
    check_name(spec.name)
    if spec.msn is not None:
        check_msn(spec.msn)
    msn = spec.msn or _next_msn(uow, ids)
    client_id = spec.client_id or ids.psp_reference()
    if uow.merchants.get(msn) is not None:
        raise MerchantExistsError(f"a sales unit with MSN {msn} already exists")
    if uow.merchants.by_client_id(client_id) is not None:
        raise MerchantExistsError(f"a sales unit with client_id {client_id} already exists")
    secret = spec.client_secret or ids.token()
    keys = (spec.subscription_key or ids.token().replace("-", "")[:32], ids.token()[:32])
    merchant = Merchant(
        msn=msn,
        name=spec.name,
        market=spec.market,
        client_id=client_id,
        client_secret_hash=hash_secret(secret),
        subscription_key_hashes=(hash_secret(keys[0]), hash_secret(keys[1])),
        created_at=clock.now(),
        push_allowed=spec.push_allowed,
        partial_capture_allowed=spec.partial_capture_allowed,
        long_living_allowed=spec.long_living_allowed,
    )
    uow.merchants.add(merchant)
    open_ledger(uow, merchant, merchant.created_at)  # one ledger per sales unit (Report API)
    return NewMerchant(merchant, secret, keys)


def authenticate(uow: UnitOfWork, client_id: str, client_secret: str, subscription_key: str) -> Merchant | None:
    """Return the sales unit these credentials belong to, or None if any of them is wrong."""
    merchant = uow.merchants.by_client_id(client_id)
    if merchant is None or not merchant.secret_matches(client_secret) or not merchant.owns_key(subscription_key):
        return None
    return merchant
