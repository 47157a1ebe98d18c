"""When a sale happened, as the shop's clock on the wall shows it: the time zone of its market.

Sales are stored as POSIX seconds; people read receipts in local time, so the zone follows the currency's
market (NOK: Norway, DKK: Denmark, EUR: Finland, where MobilePay takes euros).
"""

from __future__ import annotations

from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ZONES = {"NOK": "Europe/Oslo", "DKK": "Europe/Copenhagen", "EUR": "Europe/Helsinki"}


def shop_zone(currency: str) -> tzinfo:
    """Return the time zone of the market that uses `currency`; UTC where the system has no zone data."""
    try:
        return ZoneInfo(ZONES.get(currency, "Europe/Oslo"))
    except ZoneInfoNotFoundError:
        return UTC


def local_time(epoch: float, currency: str) -> str:
    """Write a moment as a Norwegian receipt does: `14.03.2025 13:05` in the shop's zone."""
    zone = shop_zone(currency)
    return datetime.fromtimestamp(epoch, zone).strftime("%d.%m.%Y %H:%M") + (" UTC" if zone is UTC else "")


def iso_time(epoch: float, currency: str) -> str:
    """The same moment for a `<time datetime>` attribute, with its offset."""
    return datetime.fromtimestamp(epoch, shop_zone(currency)).isoformat(timespec="minutes")
