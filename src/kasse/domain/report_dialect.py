"""Where the Report API's sources disagree, which answer kasse gives (contract §6 Q1 and Q4).

The defaults are the current guide's: a date not closed yet is `200 {"items": [], "tryLater": true}` and a
payout is `payout-scheduled`. The switches give the 2023 spec's answers instead: `404` for a date not closed
yet, and `scheduled-for-payout`, so reconciliation code can be tested against either.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class OpenDateAnswer(StrEnum):
    """What the dates endpoint answers for a date that is not closed yet."""

    TRY_LATER = "tryLater"  # 200 {"items": [], "hasMore": false, "tryLater": true}: the guide (default)
    NOT_FOUND = "404"  # 404 "The report for this date is not available yet": the spec


class PayoutEntryType(StrEnum):
    """The wire name of a scheduled payout's entry."""

    PAYOUT_SCHEDULED = "payout-scheduled"  # the current docs, the guide and the account diagram (default)
    SCHEDULED_FOR_PAYOUT = "scheduled-for-payout"  # the spec's enum


@dataclass(frozen=True, slots=True)
class ReportDialect:
    """The answers chosen, read once from `KASSE_REPORT_OPEN_DATE` and `KASSE_REPORT_PAYOUT_ENTRY_TYPE`."""

    open_date: OpenDateAnswer = OpenDateAnswer.TRY_LATER
    payout_entry_type: PayoutEntryType = PayoutEntryType.PAYOUT_SCHEDULED


def parse_dialect(open_date: str | None, payout_entry_type: str | None) -> ReportDialect:
    """Return the dialect the two settings name (None or empty: the default).

    Raises:
        ValueError: a value that is not one of the choices; the message names the variable.
    """
    dialect = ReportDialect()
    try:
        if open_date:
            dialect = ReportDialect(OpenDateAnswer(open_date.strip()), dialect.payout_entry_type)
    except ValueError:
        raise ValueError(f"KASSE_REPORT_OPEN_DATE must be tryLater or 404, not {open_date!r}") from None
    try:
        if payout_entry_type:
            dialect = ReportDialect(dialect.open_date, PayoutEntryType(payout_entry_type.strip()))
    except ValueError:
        raise ValueError("KASSE_REPORT_PAYOUT_ENTRY_TYPE must be payout-scheduled or scheduled-for-payout,"
                         f" not {payout_entry_type!r}") from None
    return dialect
