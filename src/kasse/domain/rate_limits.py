"""Per-reference rate limits of contract §4.13: how many calls of a kind a reference may get per minute.

The window slides: a call is refused while `limit` calls of its kind on its reference lie within the last
`WINDOW` of kasse's clock; the refusal says how long until the oldest of them leaves the window.
"""

from __future__ import annotations

WINDOW_US = 60_000_000  # one minute, in microseconds of kasse's clock
# contract §4.13: calls per minute per reference
LIMITS: dict[str, int] = {"create": 5, "capture": 5, "cancel": 5, "refund": 5, "get": 120, "events": 120}


class RateLimitedError(Exception):
    """A call over its limit; `retry_after` whole seconds until the window has room again."""

    def __init__(self, operation: str, reference: str, retry_after: int) -> None:
        super().__init__(f"Rate limit of {LIMITS[operation]} {operation} calls per minute for this reference exceeded")
        self.operation = operation
        self.reference = reference
        self.retry_after = retry_after


def refusal(operation: str, reference: str, oldest_us: int, now_us: int) -> RateLimitedError:
    """Return the refusal of a call at `now_us` whose window's oldest hit was at `oldest_us`."""
    # clamped: a hit counted by another process may carry a moment a little after this one's `now`
    seconds = (oldest_us + WINDOW_US - now_us) // 1_000_000 + 1
    return RateLimitedError(operation, reference, min(WINDOW_US // 1_000_000, max(1, seconds)))
