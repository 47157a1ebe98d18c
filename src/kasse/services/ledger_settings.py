"""Changing a sales unit's settlement terms (fee, net or gross, payout frequency and delay).

New terms apply from the next closing and the next capture on; entries already written never change.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kasse.domain.ledger import Ledger
from kasse.domain.settlement_terms import PayoutFrequency, SettlementMode
from kasse.services.ledger_booking import save
from kasse.services.ports import UnitOfWork


class NoLedgerError(LookupError):
    """No sales unit (so no ledger) with that MSN."""


@dataclass(frozen=True, slots=True)
class TermsChange:
    """The settings to change; None leaves one as it is."""

    fee_basis_points: int | None = None
    fee_fixed: int | None = None
    mode: SettlementMode | None = None
    frequency: PayoutFrequency | None = None
    payout_delay_days: int | None = None


def change_terms(uow: UnitOfWork, msn: str, change: TermsChange) -> Ledger:
    """Apply the change to the sales unit's ledger and return it.

    Raises:
        NoLedgerError: no such sales unit.
        TermsError: a setting out of range (it names the field).
    """
    ledger = uow.ledgers.for_msn(msn, for_update=True)
    if ledger is None:
        raise NoLedgerError(msn)
    wanted = {name: value for name in TermsChange.__slots__ if (value := getattr(change, name)) is not None}
    ledger = replace(ledger, terms=replace(ledger.terms, **wanted))
    save(uow, ledger)
    return ledger
