"""The Report API as the end of day reads it, through `kasse.sdk` (`client.reports`).

The SDK follows the pages; this adapter finds the POS's own ledger (the one that settles for `api:<msn>`),
turns an open date's `tryLater` into `DateNotClosedError` and the SDK's entries into `ReportEntry`.
"""

from __future__ import annotations

from datetime import UTC, date

from kasse.pos.day_match import ReportEntry
from kasse.pos.end_of_day import DateNotClosedError, EndOfDayError, Ledger
from kasse.sdk import AsyncClient, DateReport, LedgerEntry

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"  # the Report API's: UTC, six fractional digits


def report_entry(entry: LedgerEntry) -> ReportEntry:
    """The POS's view of one SDK report entry."""
    return ReportEntry(psp_reference=entry.psp_reference, reference=entry.reference, entry_type=entry.entry_type,
                       amount=entry.amount, balance_before=entry.balance_before, balance_after=entry.balance_after,
                       time=entry.time.astimezone(UTC).strftime(TIME_FORMAT), ledger_date=entry.ledger_date.isoformat())


def entries_of(report: DateReport) -> list[ReportEntry]:
    if report.try_later:
        raise DateNotClosedError(f"ledger date {report.ledger_date.isoformat()} is not closed yet on the platform "
                                 "(tryLater): try again after its midnight")
    return [report_entry(e) for e in report.entries]


class SdkLedgerReports:
    """`LedgerReports` over the SDK's Report API resource."""

    def __init__(self, client: AsyncClient, msn: str) -> None:
        self.client, self.msn = client, msn

    async def ledger(self) -> Ledger:
        found = await self.client.reports.ledgers(recipient_handle=f"api:{self.msn}")
        if not found:
            raise EndOfDayError(f"the platform shows no ledger for sales unit {self.msn}")
        return Ledger(found[0].ledger_id, found[0].currency or "NOK")

    async def funds(self, ledger_id: str, day: date) -> list[ReportEntry]:
        return entries_of(await self.client.reports.funds(ledger_id, day))

    async def fees(self, ledger_id: str, day: date) -> list[ReportEntry]:
        return entries_of(await self.client.reports.fees(ledger_id, day))
