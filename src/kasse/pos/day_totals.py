"""The end of day's figures for one ledger date: sales by scenario, VAT per rate, refunds, fees and the payout.

Pure: built from the POS's movements of the date (with their sales) and the date's `funds` and `fees`
reports. A capture of the whole sale takes the receipt's own VAT lines; any other amount (a refund, a
short capture) is spread over the sale's VAT rates in proportion, by `cart.allocate`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kasse.pos.cart import allocate, vat_included
from kasse.pos.day_match import ReportEntry
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.sale import Sale

PAYOUT_TYPES = frozenset({"payout-scheduled", "scheduled-for-payout"})


@dataclass(frozen=True, slots=True)
class ScenarioTotal:
    """One way of paying (the sale's method) on this date."""

    method: str
    captures: int
    captured: int
    refunds: int
    refunded: int

    @property
    def net(self) -> int:
        return self.captured - self.refunded


@dataclass(frozen=True, slots=True)
class VatTotal:
    """Sales and VAT at one rate, net of refunds; `rate` in hundredths of a percent."""

    rate: int
    gross: int
    vat: int

    @property
    def net_of_vat(self) -> int:
        return self.gross - self.vat


@dataclass(frozen=True, slots=True, kw_only=True)
class DayTotals:
    """What the POS sold and the report settled on one ledger date (minor units; fees are negative)."""

    scenarios: tuple[ScenarioTotal, ...]
    vat: tuple[VatTotal, ...]
    refunds: tuple[Movement, ...]
    captured: int
    refunded: int
    capture_fees: int  # the `capture-fee` entries of the fees report
    fees_retained: int  # taken from the funds before the payout (net settlement)
    opening_balance: int  # the funds balance the date started with
    closing_balance: int
    payouts: tuple[ReportEntry, ...]

    @property
    def net_sales(self) -> int:
        return self.captured - self.refunded

    @property
    def payout(self) -> int:
        """What the report scheduled for payout on this date."""
        return -sum(p.amount for p in self.payouts)

    @property
    def expected_payout(self) -> int:
        """The payout the POS's own sales predict: the opening balance, the net sales, less the fees retained."""
        return max(0, self.opening_balance + self.net_sales + self.fees_retained)


def _rates(sale: Sale) -> dict[int, tuple[int, int]]:
    """The sale's receipt as {VAT rate: (gross, VAT)}."""
    found: dict[int, tuple[int, int]] = {}
    for line in sale.lines:
        rate, total, vat = int(str(line["vatRate"])), int(str(line["total"])), int(str(line["vat"]))
        gross_so_far, vat_so_far = found.get(rate, (0, 0))
        found[rate] = (gross_so_far + total, vat_so_far + vat)
    return found


def vat_of(movement: Movement, sale: Sale | None) -> dict[int, tuple[int, int]]:
    """The movement's {VAT rate: (gross, VAT)}, signed like its effect on the funds (refunds negative)."""
    rates = _rates(sale) if sale is not None else {}
    if not rates:
        return {}
    if movement.kind is MovementKind.CAPTURE and movement.amount == sum(g for g, _ in rates.values()):
        return rates
    parts = allocate(movement.signed_amount, [gross for gross, _ in rates.values()])
    return {rate: (part, (-1 if part < 0 else 1) * vat_included(abs(part), rate))
            for rate, part in zip(rates, parts, strict=True)}


def _scenarios(movements: Sequence[Movement], sales: Mapping[str, Sale]) -> tuple[ScenarioTotal, ...]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for m in movements:
        sale = sales.get(m.reference)
        row = counts[sale.method if sale else "unknown"]
        offset = 0 if m.kind is MovementKind.CAPTURE else 2
        row[offset] += 1
        row[offset + 1] += m.amount
    return tuple(ScenarioTotal(method, *row) for method, row in sorted(counts.items()))


def _vat(movements: Sequence[Movement], sales: Mapping[str, Sale]) -> tuple[VatTotal, ...]:
    per_rate: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for m in movements:
        for rate, (gross, vat) in vat_of(m, sales.get(m.reference)).items():
            per_rate[rate][0] += gross
            per_rate[rate][1] += vat
    return tuple(VatTotal(rate, gross, vat) for rate, (gross, vat) in sorted(per_rate.items(), reverse=True))


def day_totals(movements: Sequence[Movement], sales: Mapping[str, Sale], funds: Sequence[ReportEntry],
               fees: Sequence[ReportEntry]) -> DayTotals:
    """Sum up one ledger date from the POS's side (movements and sales) and the report's (funds and fees)."""
    captures = [m for m in movements if m.kind is MovementKind.CAPTURE]
    refunds = tuple(m for m in movements if m.kind is MovementKind.REFUND)
    return DayTotals(
        scenarios=_scenarios(movements, sales), vat=_vat(movements, sales), refunds=refunds,
        captured=sum(m.amount for m in captures), refunded=sum(m.amount for m in refunds),
        capture_fees=sum(e.amount for e in fees if e.entry_type == "capture-fee"),
        fees_retained=sum(e.amount for e in funds if e.entry_type == "fees-retained"),
        opening_balance=funds[0].balance_before if funds else 0,
        closing_balance=funds[-1].balance_after if funds else 0,
        payouts=tuple(e for e in funds if e.entry_type in PAYOUT_TYPES),
    )
