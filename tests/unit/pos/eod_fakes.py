"""A POS with a day of sales in its database, and a Report API in memory that settles them (or not)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from kasse.pos.day_match import ReportEntry
from kasse.pos.end_of_day import DateNotClosedError, Ledger
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.sale import Sale, SaleStatus
from kasse.pos.store import SqlitePosStore
from kasse.sdk import NetworkError
from tests.unit.pos.test_day_totals import line

DAY = date(2026, 3, 2)
NOON = datetime(2026, 3, 2, 11, 0, tzinfo=UTC).timestamp()  # 12:00 in Oslo
LEDGER = Ledger("100001", "NOK")


@dataclass
class FakeLedgerReports:
    """The Report API of one ledger: entries per date; `unreachable` and `open_dates` for the failures."""

    funds_by_day: dict[date, list[ReportEntry]] = field(default_factory=dict)
    fees_by_day: dict[date, list[ReportEntry]] = field(default_factory=dict)
    open_dates: set[date] = field(default_factory=set)
    unreachable: bool = False

    def _check(self, day: date | None = None) -> None:
        if self.unreachable:
            raise NetworkError("connection refused")
        if day in self.open_dates:
            raise DateNotClosedError(f"ledger date {day} is not closed yet: try again later")

    async def ledger(self) -> Ledger:
        self._check()
        return LEDGER

    async def funds(self, ledger_id: str, day: date) -> list[ReportEntry]:
        self._check(day)
        return self.funds_by_day.get(day, [])

    async def fees(self, ledger_id: str, day: date) -> list[ReportEntry]:
        self._check(day)
        return self.fees_by_day.get(day, [])


def sold(store: SqlitePosStore, number: int, method: str, total: int, refund: int = 0) -> list[Movement]:
    """A paid sale (and its refund) made at noon on DAY, as the POS records them; return its movements."""
    reference = f"pos-till1-{number:06d}"
    store.put_sale(Sale(reference=reference, terminal="till-1", receipt_number=number, method=method, total=total,
                        lines=[line(total, 1500)], status=SaleStatus.PAID, captured=total, refunded=refund))
    moves = [Movement(idempotency_key=f"capture-{reference}", reference=reference, kind=MovementKind.CAPTURE,
                      amount=total, psp_reference=f"psp-c{number}", at=NOON + number)]
    if refund:
        moves.append(Movement(idempotency_key=f"refund-{reference}-0-{refund}", reference=reference,
                              kind=MovementKind.REFUND, amount=refund, psp_reference=f"psp-r{number}",
                              at=NOON + 100 + number))
    store.replace_movements([], moves)
    return moves


def settled(moves: list[Movement], fee: int = 100) -> tuple[list[ReportEntry], list[ReportEntry]]:
    """The funds and fees reports of DAY as the platform writes them for these movements (net, daily payout)."""
    funds: list[ReportEntry] = []
    balance = 0
    for m in moves:
        funds.append(ReportEntry(psp_reference=m.psp_reference or "", reference=m.reference, entry_type=m.kind.value,
                                 amount=m.signed_amount, balance_before=balance,
                                 balance_after=balance + m.signed_amount, time="2026-03-02T11:00:00.000000Z",
                                 ledger_date=DAY.isoformat()))
        balance += m.signed_amount
    captures = [m for m in moves if m.kind is MovementKind.CAPTURE]
    fees = [ReportEntry(psp_reference=m.psp_reference or "", reference=m.reference, entry_type="capture-fee",
                        amount=-fee, balance_before=-fee * i, balance_after=-fee * (i + 1))
            for i, m in enumerate(captures)]
    retained = fee * len(captures)
    funds.append(ReportEntry(psp_reference="fr-1", reference=None, entry_type="fees-retained", amount=-retained,
                             balance_before=balance, balance_after=balance - retained))
    funds.append(ReportEntry(psp_reference="100001-1", reference="Vipps utbet. 1", entry_type="payout-scheduled",
                             amount=-(balance - retained), balance_before=balance - retained, balance_after=0))
    return funds, fees


def a_day(tmp_path: Path) -> tuple[SqlitePosStore, FakeLedgerReports, list[Movement]]:
    """Four sales, one per scenario, one of them partly refunded; the report shows exactly them."""
    store = SqlitePosStore(tmp_path / "pos.db")
    moves = (sold(store, 1, "qr", 13000) + sold(store, 2, "scan", 4900) + sold(store, 3, "phone", 3900, refund=1900)
             + sold(store, 4, "vending", 3500))
    funds, fees = settled(moves)
    return store, FakeLedgerReports({DAY: funds}, {DAY: fees}), moves
