"""Ledgers, their entries and payouts, and accounting partners, over the shared `?`-placeholder connection."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from kasse.adapters.sql.connection import send
from kasse.adapters.sql.rows import from_us, to_us
from kasse.domain.ledger import EntryType, Ledger, LedgerEntry, Topic, TopicState
from kasse.domain.ledger_closing import Payout
from kasse.domain.money import Currency, Market
from kasse.domain.partner import AccountingPartner
from kasse.domain.settlement_terms import PayoutFrequency, SettlementMode, SettlementTerms

if TYPE_CHECKING:
    from kasse.adapters.sql.connection import Connection

FIRST_LEDGER_ID = 300001  # ledger ids look like the six-digit ones of the Report API's examples
LEDGER_COLUMNS = ("ledger_id, msn, market, fee_basis_points, fee_fixed, mode, frequency, payout_delay_days,"
                  " funds_balance, funds_position, fees_balance, fees_position, payouts, last_closed")
ENTRY_COLUMNS = ("ledger_id, topic, position, psp_reference, time, ledger_date, entry_type, reference, currency,"
                 " amount, balance_before, recipient_handle")
PAYOUT_COLUMNS = "ledger_id, number, amount, ledger_date, scheduled_at, delay_days, reference, aborted"


def _lock(conn: Connection, for_update: bool) -> str:
    return " FOR UPDATE" if for_update and getattr(conn, "dialect", "sqlite") == "postgresql" else ""


def ledger_from_row(r: Any) -> Ledger:
    terms = SettlementTerms(int(r[3]), int(r[4]), SettlementMode(r[5]), PayoutFrequency(r[6]), int(r[7]))
    return Ledger(ledger_id=r[0], msn=r[1], market=Market(r[2]), terms=terms, last_closed=date.fromisoformat(r[13]),
                  funds=TopicState(int(r[8]), int(r[9])), fees=TopicState(int(r[10]), int(r[11])), payouts=int(r[12]))


def _ledger_state(ledger: Ledger) -> tuple[Any, ...]:
    t = ledger.terms
    return (t.fee_basis_points, t.fee_fixed, t.mode.value, t.frequency.value, t.payout_delay_days,
            ledger.funds.balance, ledger.funds.position, ledger.fees.balance, ledger.fees.position, ledger.payouts,
            ledger.last_closed.isoformat())


def entry_to_row(e: LedgerEntry) -> tuple[Any, ...]:
    return (e.ledger_id, e.topic.value, e.position, e.psp_reference, to_us(e.time), e.ledger_date.isoformat(),
            e.entry_type.value, e.reference, e.currency.value, e.amount, e.balance_before, e.recipient_handle)


def entry_from_row(r: Any) -> LedgerEntry:
    return LedgerEntry(ledger_id=r[0], topic=Topic(r[1]), position=int(r[2]), psp_reference=r[3], time=from_us(r[4]),
                       ledger_date=date.fromisoformat(r[5]), entry_type=EntryType(r[6]), reference=r[7],
                       currency=Currency(r[8]), amount=int(r[9]), balance_before=int(r[10]), recipient_handle=r[11])


def _payout_from_row(r: Any) -> Payout:
    return Payout(ledger_id=r[0], number=int(r[1]), amount=int(r[2]), ledger_date=date.fromisoformat(r[3]),
                  scheduled_at=from_us(r[4]), delay_days=int(r[5]), reference=r[6], aborted=bool(r[7]))


class SqlLedgers:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, ledger_id: str, *, for_update: bool = False) -> Ledger | None:
        lock = _lock(self.conn, for_update)
        row = self.conn.execute(f"SELECT {LEDGER_COLUMNS} FROM ledgers WHERE ledger_id = ?{lock}",
                                (ledger_id,)).fetchone()
        return ledger_from_row(row) if row else None

    def for_msn(self, msn: str, *, for_update: bool = False) -> Ledger | None:
        row = self.conn.execute(f"SELECT {LEDGER_COLUMNS} FROM ledgers WHERE msn = ?{_lock(self.conn, for_update)}",
                                (msn,)).fetchone()
        return ledger_from_row(row) if row else None

    def next_id(self) -> str:
        # ids are numeric text of equal length for a long while; a race on PostgreSQL is a unique violation, retried
        row = self.conn.execute("SELECT MAX(CAST(ledger_id AS BIGINT)) FROM ledgers").fetchone()
        return str(max(FIRST_LEDGER_ID, int(row[0] or 0) + 1))

    def add(self, ledger: Ledger, created_at: datetime, next_close_at: datetime) -> None:
        self.conn.execute(
            f"INSERT INTO ledgers ({LEDGER_COLUMNS}, created_at, next_close_at)"
            " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (ledger.ledger_id, ledger.msn, ledger.market.value, *_ledger_state(ledger), to_us(created_at),
             to_us(next_close_at)),
        )

    def save(self, ledger: Ledger, next_close_at: datetime) -> None:
        # nothing of its result is read: pipelined, it rides with the job's next statement or the COMMIT instead of
        # costing a round trip of its own while the job holds the ledger's row lock (a capture: `for_msn`)
        send(
            self.conn,
            "UPDATE ledgers SET fee_basis_points = ?, fee_fixed = ?, mode = ?, frequency = ?, payout_delay_days = ?,"
            " funds_balance = ?, funds_position = ?, fees_balance = ?, fees_position = ?, payouts = ?,"
            " last_closed = ?, next_close_at = ? WHERE ledger_id = ?",
            (*_ledger_state(ledger), to_us(next_close_at), ledger.ledger_id),
        )

    def append(self, entries: Sequence[LedgerEntry]) -> None:
        for entry in entries:  # pipelined, the entries wait for the job's next statement and go out with it
            send(self.conn, f"INSERT INTO ledger_entries ({ENTRY_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                 entry_to_row(entry))

    def add_payout(self, payout: Payout) -> None:
        self.conn.execute(
            f"INSERT INTO ledger_payouts ({PAYOUT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
            (payout.ledger_id, payout.number, payout.amount, payout.ledger_date.isoformat(),
             to_us(payout.scheduled_at), payout.delay_days, payout.reference, payout.aborted),
        )

    def entries(self, ledger_id: str, topic: Topic, *, after: int, limit: int,
                ledger_date: date | None = None) -> Sequence[LedgerEntry]:
        on_date = "" if ledger_date is None else " AND ledger_date = ?"
        params: tuple[Any, ...] = (ledger_id, topic.value, after)
        if ledger_date is not None:
            params += (ledger_date.isoformat(),)
        found = self.conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE ledger_id = ? AND topic = ? AND position > ?{on_date}"
            " ORDER BY position LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [entry_from_row(r) for r in found]

    def negative_since(self, ledger_id: str) -> date | None:
        # walks the topic backwards from its last entry to the last one that left funds at 0 or above
        row = self.conn.execute(
            "SELECT ledger_date FROM ledger_entries WHERE ledger_id = ? AND topic = 'funds' AND position > COALESCE(("
            "SELECT position FROM ledger_entries WHERE ledger_id = ? AND topic = 'funds'"
            " AND balance_before + amount >= 0 ORDER BY position DESC LIMIT 1), 0) ORDER BY position LIMIT 1",
            (ledger_id, ledger_id)).fetchone()
        return date.fromisoformat(row[0]) if row else None

    def of_psp_reference(self, ledger_id: str, topic: Topic, psp_reference: str) -> Sequence[LedgerEntry]:
        found = self.conn.execute(
            f"SELECT {ENTRY_COLUMNS} FROM ledger_entries WHERE ledger_id = ? AND topic = ? AND psp_reference = ?"
            " ORDER BY position", (ledger_id, topic.value, psp_reference)).fetchall()
        return [entry_from_row(r) for r in found]

    def list(self, *, after: str | None, limit: int, ledger_ids: Collection[str] | None = None,
             msn: str | None = None) -> Sequence[Ledger]:
        where, params = ["ledger_id > ?"], [after or ""]
        if msn is not None:
            where.append("msn = ?")
            params.append(msn)
        if ledger_ids is not None:
            if not ledger_ids:
                return []
            where.append(f"ledger_id IN ({','.join('?' * len(ledger_ids))})")
            params.extend(ledger_ids)
        found = self.conn.execute(
            f"SELECT {LEDGER_COLUMNS} FROM ledgers WHERE {' AND '.join(where)} ORDER BY ledger_id LIMIT ?",
            (*params, limit),
        ).fetchall()
        return [ledger_from_row(r) for r in found]

    def due(self, now: datetime, limit: int) -> Sequence[str]:
        found = self.conn.execute("SELECT ledger_id FROM ledgers WHERE next_close_at <= ? ORDER BY next_close_at"
                                  " LIMIT ?", (to_us(now), limit)).fetchall()
        return [str(r[0]) for r in found]

    def payouts(self, ledger_id: str) -> Sequence[Payout]:
        found = self.conn.execute(f"SELECT {PAYOUT_COLUMNS} FROM ledger_payouts WHERE ledger_id = ? ORDER BY number",
                                  (ledger_id,)).fetchall()
        return [_payout_from_row(r) for r in found]


PARTNER_COLUMNS = "partner_id, name, client_id, client_secret_hash, created_at"


def _partner(r: Any) -> AccountingPartner:
    return AccountingPartner(r[0], r[1], r[2], r[3], from_us(r[4]))


class SqlPartners:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, partner: AccountingPartner) -> None:
        self.conn.execute(f"INSERT INTO accounting_partners ({PARTNER_COLUMNS}) VALUES (?,?,?,?,?)",
                          (partner.partner_id, partner.name, partner.client_id, partner.client_secret_hash,
                           to_us(partner.created_at)))

    def get(self, partner_id: str) -> AccountingPartner | None:
        row = self.conn.execute(f"SELECT {PARTNER_COLUMNS} FROM accounting_partners WHERE partner_id = ?",
                                (partner_id,)).fetchone()
        return _partner(row) if row else None

    def by_client_id(self, client_id: str) -> AccountingPartner | None:
        row = self.conn.execute(f"SELECT {PARTNER_COLUMNS} FROM accounting_partners WHERE client_id = ?",
                                (client_id,)).fetchone()
        return _partner(row) if row else None

    def list(self) -> Sequence[AccountingPartner]:
        found = self.conn.execute(f"SELECT {PARTNER_COLUMNS} FROM accounting_partners ORDER BY created_at, partner_id"
                                  ).fetchall()
        return [_partner(r) for r in found]

    def grant(self, partner_id: str, ledger_id: str, at: datetime) -> None:
        self.conn.execute("INSERT INTO partner_grants (partner_id, ledger_id, created_at) VALUES (?,?,?)"
                          " ON CONFLICT (partner_id, ledger_id) DO NOTHING", (partner_id, ledger_id, to_us(at)))

    def revoke(self, partner_id: str, ledger_id: str) -> bool:
        row = self.conn.execute("DELETE FROM partner_grants WHERE partner_id = ? AND ledger_id = ? RETURNING ledger_id",
                                (partner_id, ledger_id)).fetchone()
        return row is not None

    def granted(self, partner_id: str) -> Sequence[str]:
        found = self.conn.execute("SELECT ledger_id FROM partner_grants WHERE partner_id = ? ORDER BY ledger_id",
                                  (partner_id,)).fetchall()
        return [str(r[0]) for r in found]
