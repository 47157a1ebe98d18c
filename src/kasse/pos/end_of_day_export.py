"""The end of day as lines, one per report entry and one per POS movement the report lacks: for the page's
list, the command line and the CSV export (amounts in signed minor units, as the Report API writes them)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from kasse.pos.day_match import Difference, Matched, ReportEntry
from kasse.pos.end_of_day import EndOfDay
from kasse.pos.movement import Movement

MATCHED = "matched"
SETTLEMENT = "settlement"  # fees retained, payouts: the platform's own entries
COLUMNS = ("status", "detail", "ledgerDate", "time", "entryType", "pspReference", "reference", "receiptNumber",
           "scenario", "posAmount", "reportAmount", "currency")


@dataclass(frozen=True, slots=True, kw_only=True)
class DayLine:
    """One line of the end of day; `status` is `matched`, `settlement` or a difference kind."""

    status: str
    detail: str
    entry: ReportEntry | None
    movement: Movement | None
    receipt_number: int | None
    scenario: str | None

    @property
    def is_difference(self) -> bool:
        return self.status not in (MATCHED, SETTLEMENT)

    @property
    def psp_reference(self) -> str:
        return (self.entry.psp_reference if self.entry else None) or (self.movement and self.movement.psp_reference) \
            or ""

    @property
    def reference(self) -> str:
        return (self.entry.reference if self.entry else None) or (self.movement.reference if self.movement else "")

    @property
    def time(self) -> str:
        """The report entry's time, or the POS movement's on the platform's clock, in the report's format."""
        if self.entry is not None:
            return self.entry.time
        at = self.movement.at if self.movement else None
        return "" if at is None else datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def local_time(self, zone: ZoneInfo) -> str:
        """The time as a till shows it: HH:MM:SS in the ledger's zone."""
        if not self.time:
            return ""
        return datetime.fromisoformat(self.time.replace("Z", "+00:00")).astimezone(zone).strftime("%H:%M:%S")

    @property
    def entry_type(self) -> str:
        return self.entry.entry_type if self.entry else self.movement.kind.value if self.movement else ""


def _line(eod: EndOfDay, status: str, detail: str, entry: ReportEntry | None, movement: Movement | None) -> DayLine:
    reference = (entry.reference if entry else None) or (movement.reference if movement else None)
    sale = eod.sales.get(reference) if reference else None
    return DayLine(status=status, detail=detail, entry=entry, movement=movement,
                   receipt_number=sale.receipt_number if sale else None, scenario=sale.method if sale else None)


def day_lines(eod: EndOfDay) -> list[DayLine]:
    """Every line of the date: the report's entries in ledger order, then what only the POS has."""
    by_entry: dict[int, Matched | Difference] = {id(m.entry): m for m in eod.match.matched}
    by_entry.update((id(d.entry), d) for d in eod.match.differences if d.entry is not None)
    lines = []
    for entry in eod.funds:
        found = by_entry.get(id(entry))
        if isinstance(found, Matched):
            lines.append(_line(eod, MATCHED, "", entry, found.movement))
        elif isinstance(found, Difference):
            lines.append(_line(eod, found.kind.value, found.label, entry, found.movement))
        else:
            lines.append(_line(eod, SETTLEMENT, "", entry, None))
    lines += [_line(eod, d.kind.value, d.label, None, d.movement) for d in eod.match.differences if d.entry is None]
    return lines


def csv_rows(eod: EndOfDay) -> Iterator[dict[str, object]]:
    for line in day_lines(eod):
        entry = line.entry
        yield {"status": line.status, "detail": line.detail, "ledgerDate": eod.day.isoformat(),
               "time": line.time, "entryType": line.entry_type, "pspReference": line.psp_reference,
               "reference": line.reference, "receiptNumber": line.receipt_number or "",
               "scenario": line.scenario or "", "posAmount": line.movement.signed_amount if line.movement else "",
               "reportAmount": entry.amount if entry else "", "currency": eod.ledger.currency}


def write_csv(eod: EndOfDay, out: TextIO) -> None:
    """Write the date's lines as CSV with a header row (RFC 4180 quoting, CRLF line ends)."""
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(csv_rows(eod))
