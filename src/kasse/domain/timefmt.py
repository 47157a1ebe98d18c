"""Wire formats of time: RFC 3339 with milliseconds and a `Z`, as the ePayment API writes them."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(moment: datetime) -> str:
    """Format a UTC-aware moment as `2023-03-27T10:51:59.378Z` (isoformat: a create formats several)."""
    if moment.tzinfo is not UTC:
        moment = moment.astimezone(UTC)
    return moment.isoformat(timespec="milliseconds")[:-6] + "Z"  # without its "+00:00"


def parse_rfc3339(text: str) -> datetime:
    """Parse an RFC 3339 timestamp into a UTC-aware datetime.

    Raises:
        ValueError: the text is not RFC 3339, has no offset, or lies outside the calendar once in UTC.
    """
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is None:
        raise ValueError("timestamp needs an offset or Z")
    try:
        return moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00:00-05:00 is a valid text but no UTC moment
        raise ValueError("timestamp is out of range") from None
