"""Ledger dates: a date runs from midnight to midnight in the sales unit's market time zone.

Report API contract §2.2: the cutoff is local midnight; the zone per market is Europe/Oslo (NO),
Europe/Copenhagen (DK) and Europe/Helsinki (FI). `close_of(D)` is the instant that ends D.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from kasse.domain.money import Market

ZONE_OF_MARKET: dict[Market, ZoneInfo] = {
    Market.NO: ZoneInfo("Europe/Oslo"),
    Market.DK: ZoneInfo("Europe/Copenhagen"),
    Market.FI: ZoneInfo("Europe/Helsinki"),
}
ONE_DAY = timedelta(days=1)


def ledger_date_of(moment: datetime, market: Market) -> date:
    """Return the ledger date a moment falls in, in the market's zone."""
    return moment.astimezone(ZONE_OF_MARKET[market]).date()


def close_of(ledger_date: date, market: Market) -> datetime:
    """Return the UTC instant that ends `ledger_date`: the next local midnight."""
    return datetime.combine(ledger_date + ONE_DAY, time(0), tzinfo=ZONE_OF_MARKET[market]).astimezone(UTC)


def last_due(now: datetime, market: Market) -> date:
    """Return the latest ledger date whose close has come by `now` (yesterday, locally)."""
    return ledger_date_of(now, market) - ONE_DAY
