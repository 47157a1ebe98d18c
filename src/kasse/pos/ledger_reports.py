"""The Report API as the end of day reads it, through `kasse.sdk` (`client.reports`).

The SDK follows the pages; this adapter turns its entries into the POS's `ReportEntry` and finds the POS's
own ledger: the one that settles for `api:<msn>`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from kasse.pos.day_match import ReportEntry
from kasse.pos.end_of_day import EndOfDayError, Ledger
from kasse.sdk import AsyncClient


def report_entry(item: Any) -> ReportEntry:
    """The POS's view of one SDK report entry."""
    return ReportEntry(psp_reference=str(item.psp_reference), reference=item.reference,
                       entry_type=str(item.entry_type), amount=int(item.amount),
                       balance_before=int(item.balance_before), balance_after=int(item.balance_after),
                       time=str(item.time), ledger_date=str(item.ledger_date))


class SdkLedgerReports:
    """`LedgerReports` over the SDK's Report API resource."""

    def __init__(self, client: AsyncClient, msn: str) -> None:
        self.client, self.msn = client, msn

    @property
    def _reports(self) -> Any:
        found = getattr(self.client, "reports", None)
        if found is None:
            raise EndOfDayError("this kasse SDK has no Report API (client.reports) yet")
        return found

    async def ledger(self) -> Ledger:
        ledgers = list(await self._reports.ledgers())
        handle = f"api:{self.msn}"
        mine = [lg for lg in ledgers if handle in (lg.settles_for_recipient_handles or ())] or ledgers
        if not mine:
            raise EndOfDayError(f"the platform shows no ledger for sales unit {self.msn}")
        return Ledger(str(mine[0].ledger_id), str(mine[0].currency))

    async def funds(self, ledger_id: str, day: date) -> list[ReportEntry]:
        return [report_entry(e) for e in await self._reports.funds(ledger_id, day)]

    async def fees(self, ledger_id: str, day: date) -> list[ReportEntry]:
        return [report_entry(e) for e in await self._reports.fees(ledger_id, day)]
