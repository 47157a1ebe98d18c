"""The POS's end of day for one ledger date: its own captures and refunds against the platform's report.

Reads the ledger, the date's `funds` and `fees` reports (through `LedgerReports`, the SDK's Report API in
production) and the POS's movements dated that day in the ledger's time zone, after confirming any the POS
had not confirmed yet; the matching and the sums are pure (`day_match`, `day_totals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from kasse.pos.confirmations import confirm_all
from kasse.pos.day_match import DayMatch, ReportEntry, match_day
from kasse.pos.day_totals import DayTotals, day_totals
from kasse.pos.sale import Sale
from kasse.pos.store import SqlitePosStore
from kasse.sdk import AsyncClient, KasseError, NetworkError

# a ledger date closes at midnight in its sales unit's market (contract §2); the ledger names only its currency
ZONES = {"NOK": "Europe/Oslo", "DKK": "Europe/Copenhagen", "EUR": "Europe/Helsinki"}


@dataclass(frozen=True, slots=True)
class Ledger:
    """The POS's sales unit's ledger on the platform."""

    ledger_id: str
    currency: str

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(ZONES.get(self.currency, "Europe/Oslo"))


class EndOfDayError(Exception):
    """The end of day could not be made; the message says why, in one line."""


class PlatformUnreachableError(EndOfDayError):
    """No answer from the platform at all."""


class DateNotClosedError(EndOfDayError):
    """The platform has not closed this ledger date yet (`tryLater`)."""


class LedgerReports(Protocol):
    """The Report API as the end of day needs it."""

    async def ledger(self) -> Ledger: ...

    async def funds(self, ledger_id: str, day: date) -> list[ReportEntry]: ...

    async def fees(self, ledger_id: str, day: date) -> list[ReportEntry]: ...


@dataclass(frozen=True, slots=True, kw_only=True)
class EndOfDay:
    """One ledger date, matched and summed up."""

    day: date
    ledger: Ledger
    match: DayMatch
    totals: DayTotals
    funds: tuple[ReportEntry, ...]
    fees: tuple[ReportEntry, ...]
    sales: Mapping[str, Sale]  # every POS sale the date's movements or entries name

    @property
    def difference_count(self) -> int:
        return len(self.match.differences)


def day_bounds(day: date, zone: ZoneInfo) -> tuple[float, float]:
    """The date's start and end (exclusive) as Unix seconds: local midnights, so 23 or 25 hours at a DST change."""
    start = datetime.combine(day, time(), zone)
    end = datetime.combine(day + timedelta(days=1), time(), zone)
    return start.timestamp(), end.timestamp()


def default_day(store: SqlitePosStore, zone: ZoneInfo, today: date) -> date:
    """The date of the POS's latest capture or refund, or `today` when it has made none."""
    latest = store.latest_movement_at()
    return today if latest is None else datetime.fromtimestamp(latest, zone).date()


async def end_of_day(reports: LedgerReports, client: AsyncClient, store: SqlitePosStore, day: date,
                     base_url: str = "the platform") -> EndOfDay:
    """Match the POS's movements of `day` with the platform's report of that ledger date.

    Raises:
        PlatformUnreachableError: the platform did not answer.
        DateNotClosedError: the platform has not closed `day` yet.
        EndOfDayError: the platform refused (credentials, no ledger ...).
    """
    try:
        await confirm_all(client, store)
        ledger = await reports.ledger()
        funds = await reports.funds(ledger.ledger_id, day)
        fees = await reports.fees(ledger.ledger_id, day)
    except NetworkError as err:
        raise PlatformUnreachableError(f"cannot reach {base_url}: {err}") from None
    except KasseError as err:
        raise EndOfDayError(f"{base_url} refused the end of day: {err}") from None
    movements = store.movements_between(*day_bounds(day, ledger.zone))
    names = {m.reference for m in movements} | {e.reference for e in funds if e.reference}
    sales = {s.reference: s for s in map(store.sale, sorted(names)) if s is not None}
    return EndOfDay(day=day, ledger=ledger, match=match_day(movements, funds),
                    totals=day_totals(movements, sales, funds, fees), funds=tuple(funds), fees=tuple(fees),
                    sales=sales)
