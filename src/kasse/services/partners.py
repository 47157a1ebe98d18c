"""Accounting partners: creating them with fresh credentials, checking them, and granting them ledgers."""

from __future__ import annotations

from dataclasses import dataclass

from kasse.domain.merchant import hash_secret
from kasse.domain.partner import AccountingPartner
from kasse.services.ports import Clock, Ids, UnitOfWork


@dataclass(frozen=True, slots=True)
class NewPartner:
    """A created partner with its client secret in clear, shown once."""

    partner: AccountingPartner
    client_secret: str


class UnknownLedgerError(LookupError):
    """No ledger with that id (or no sales unit with that MSN)."""


def create_partner(uow: UnitOfWork, clock: Clock, ids: Ids, name: str) -> NewPartner:
    """Create an accounting partner with generated `/miami/v1/token` credentials."""
    secret = ids.token()
    partner = AccountingPartner(partner_id=f"partner-{ids.token()[:12]}", name=name,
                                client_id=f"acct-{ids.token()[:24]}", client_secret_hash=hash_secret(secret),
                                created_at=clock.now())
    uow.partners.add(partner)
    return NewPartner(partner, secret)


def authenticate_partner(uow: UnitOfWork, client_id: str, client_secret: str) -> AccountingPartner | None:
    """Return the partner these credentials belong to, or None if either is wrong."""
    partner = uow.partners.by_client_id(client_id)
    return partner if partner is not None and partner.secret_matches(client_secret) else None


def grant_ledger(uow: UnitOfWork, clock: Clock, partner_id: str, *, ledger_id: str | None = None,
                 msn: str | None = None) -> str:
    """Let a partner read a ledger, named by its id or its sales unit's MSN; return the ledger id.

    Raises:
        UnknownLedgerError: no such ledger or sales unit.
    """
    ledger = uow.ledgers.get(ledger_id) if ledger_id is not None else uow.ledgers.for_msn(msn or "")
    if ledger is None:
        raise UnknownLedgerError(ledger_id or msn)
    uow.partners.grant(partner_id, ledger.ledger_id, clock.now())
    return ledger.ledger_id
