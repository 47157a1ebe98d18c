"""Settlement ledgers with their entries and payouts, and accounting partners with their grants, in memory."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime

from kasse.domain.ledger import Ledger, LedgerEntry, Topic
from kasse.domain.ledger_closing import Payout
from kasse.domain.partner import AccountingPartner
from tests.fakes.store_errors import DuplicatePositionError


class InMemoryLedgers:
    def __init__(self) -> None:
        self.rows: dict[str, tuple[Ledger, datetime]] = {}
        self.stored: list[LedgerEntry] = []
        self.keys: set[tuple[str, Topic, int]] = set()
        self.payout_rows: list[Payout] = []

    def get(self, ledger_id: str, *, for_update: bool = False) -> Ledger | None:
        row = self.rows.get(ledger_id)
        return row[0] if row else None

    def for_msn(self, msn: str, *, for_update: bool = False) -> Ledger | None:
        return next((ledger for ledger, _ in self.rows.values() if ledger.msn == msn), None)

    def next_id(self) -> str:
        return str(300001 + len(self.rows))

    def add(self, ledger: Ledger, created_at: datetime, next_close_at: datetime) -> None:
        assert ledger.ledger_id not in self.rows and self.for_msn(ledger.msn) is None
        self.rows[ledger.ledger_id] = (ledger, next_close_at)

    def save(self, ledger: Ledger, next_close_at: datetime) -> None:
        self.rows[ledger.ledger_id] = (ledger, next_close_at)

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:
            key = (entry.ledger_id, entry.topic, entry.position)
            if key in self.keys:
                raise DuplicatePositionError(key)
            self.keys.add(key)
            self.stored.append(entry)

    def add_payout(self, payout: Payout) -> None:
        self.payout_rows.append(payout)

    def entries(self, ledger_id: str, topic: Topic, *, after: int, limit: int,
                ledger_date: date | None = None) -> Sequence[LedgerEntry]:
        found = [e for e in self.stored if e.ledger_id == ledger_id and e.topic is topic and e.position > after
                 and (ledger_date is None or e.ledger_date == ledger_date)]
        return sorted(found, key=lambda e: e.position)[:limit]

    def negative_since(self, ledger_id: str) -> date | None:
        funds = self.entries(ledger_id, Topic.FUNDS, after=0, limit=10**9)
        last_ok = max((e.position for e in funds if e.balance_after >= 0), default=0)
        return next((e.ledger_date for e in funds if e.position > last_ok), None)

    def of_psp_reference(self, ledger_id: str, topic: Topic, psp_reference: str) -> Sequence[LedgerEntry]:
        return [e for e in self.entries(ledger_id, topic, after=0, limit=10**9) if e.psp_reference == psp_reference]

    def list(self, *, after: str | None, limit: int, ledger_ids: Collection[str] | None = None,
             msn: str | None = None) -> Sequence[Ledger]:
        found = [ledger for ledger, _ in self.rows.values() if ledger.ledger_id > (after or "")
                 and (ledger_ids is None or ledger.ledger_id in ledger_ids) and (msn is None or ledger.msn == msn)]
        return sorted(found, key=lambda ledger: ledger.ledger_id)[:limit]

    def due(self, now: datetime, limit: int) -> Sequence[str]:
        return [i for i, (_, at) in sorted(self.rows.items(), key=lambda r: r[1][1]) if at <= now][:limit]

    def payouts(self, ledger_id: str) -> Sequence[Payout]:
        return [p for p in self.payout_rows if p.ledger_id == ledger_id]


class InMemoryPartners:
    def __init__(self) -> None:
        self.rows: dict[str, AccountingPartner] = {}
        self.grants: set[tuple[str, str]] = set()

    def add(self, partner: AccountingPartner) -> None:
        self.rows[partner.partner_id] = partner

    def get(self, partner_id: str) -> AccountingPartner | None:
        return self.rows.get(partner_id)

    def by_client_id(self, client_id: str) -> AccountingPartner | None:
        return next((p for p in self.rows.values() if p.client_id == client_id), None)

    def list(self) -> Sequence[AccountingPartner]:
        return list(self.rows.values())

    def grant(self, partner_id: str, ledger_id: str, at: datetime) -> None:
        self.grants.add((partner_id, ledger_id))

    def revoke(self, partner_id: str, ledger_id: str) -> bool:
        found = (partner_id, ledger_id) in self.grants
        self.grants.discard((partner_id, ledger_id))
        return found

    def granted(self, partner_id: str) -> Sequence[str]:
        return sorted(ledger for partner, ledger in self.grants if partner == partner_id)
