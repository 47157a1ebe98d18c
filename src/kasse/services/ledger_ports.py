"""The ports of settlement: ledgers with their entries and payouts, and accounting partners with their grants."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Protocol

from kasse.domain.ledger import Ledger, LedgerEntry, Topic
from kasse.domain.ledger_closing import Payout
from kasse.domain.partner import AccountingPartner


class LedgerRepository(Protocol):
    """Ledgers (one per sales unit), their append-only entries and their payouts."""

    def get(self, ledger_id: str, *, for_update: bool = False) -> Ledger | None:
        """Return a ledger, locking it (PostgreSQL) when about to change it, or None."""
        ...

    def for_msn(self, msn: str, *, for_update: bool = False) -> Ledger | None:
        """Return the sales unit's ledger, locking it when about to change it, or None."""
        ...

    def next_id(self) -> str:
        """Return an unused ledger id."""
        ...

    def add(self, ledger: Ledger, created_at: datetime, next_close_at: datetime) -> None:
        """Store a new ledger."""
        ...

    def save(self, ledger: Ledger, next_close_at: datetime) -> None:
        """Store a ledger's changed state and when its first open date closes."""
        ...

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        """Store new entries; a position taken already is refused (the store's unique key)."""
        ...

    def add_payout(self, payout: Payout) -> None:
        """Store a scheduled payout."""
        ...

    def entries(self, ledger_id: str, topic: Topic, *, after: int, limit: int,
                ledger_date: date | None = None) -> Sequence[LedgerEntry]:
        """Return a topic's entries after position `after`, in order, of one date when given."""
        ...

    def list(self, *, after: str | None, limit: int, ledger_ids: Collection[str] | None = None,
             msn: str | None = None) -> Sequence[Ledger]:
        """Return ledgers ordered by id, after `after`, restricted to `ledger_ids` and/or one `msn`."""
        ...

    def negative_since(self, ledger_id: str) -> date | None:
        """Return the ledger date of the first funds entry after the last one that left funds at 0 or above."""
        ...

    def of_psp_reference(self, ledger_id: str, topic: Topic, psp_reference: str) -> Sequence[LedgerEntry]:
        """Return a topic's entries with this pspReference, in order (a capture, its disputes, its returns)."""
        ...

    def due(self, now: datetime, limit: int) -> Sequence[str]:
        """Return ids of ledgers whose first open date has closed by `now`."""
        ...

    def payouts(self, ledger_id: str) -> Sequence[Payout]:
        """Return a ledger's payouts, oldest first."""
        ...


class PartnerRepository(Protocol):
    """Accounting partners and the ledgers granted to them."""

    def add(self, partner: AccountingPartner) -> None:
        """Store a new partner."""
        ...

    def get(self, partner_id: str) -> AccountingPartner | None:
        """Return a partner, or None."""
        ...

    def by_client_id(self, client_id: str) -> AccountingPartner | None:
        """Return the partner owning this client_id, or None."""
        ...

    def list(self) -> Sequence[AccountingPartner]:
        """Return every partner, oldest first."""
        ...

    def grant(self, partner_id: str, ledger_id: str, at: datetime) -> None:
        """Let the partner read the ledger (granting twice changes nothing)."""
        ...

    def revoke(self, partner_id: str, ledger_id: str) -> bool:
        """Take the grant back; return whether there was one."""
        ...

    def granted(self, partner_id: str) -> Sequence[str]:
        """Return the ids of the ledgers the partner may read."""
        ...
