"""The one retry rule: what may be sent again, and how long to wait first.

A request is sent again only when that cannot double an operation: always when it never left
(connection refused), otherwise only when the call is replayable (a read, a PUT or DELETE, or a
write the server deduplicates by its Idempotency-Key, which every retry reuses). Waits grow
exponentially with full jitter, and a server's `Retry-After` is obeyed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

# the server is busy or failed without doing the work, or asks us to come back later
RETRYABLE_STATUSES = frozenset({423, 429, 500, 502, 503, 504})

# errors raised before a single byte of the request reached the server
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how patiently a request is retried.

    Example:
        >>> RetryPolicy(max_attempts=5, base_delay=0.2).backoff(attempt=3, draw=1.0)
        0.8
    """

    max_attempts: int = 3  # first try included; 1 turns retries off
    base_delay: float = 0.5  # seconds; the ceiling of the first wait
    max_delay: float = 8.0  # seconds; no backoff wait is longer
    max_retry_after: float = 60.0  # seconds; a longer Retry-After is reported instead of waited for

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, attempt: int, draw: float) -> float:
        """Return the wait after failed attempt number `attempt` (1-based): full jitter, `draw` in [0, 1)."""
        return float(draw * min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))

    def delay_after_error(self, exc: httpx.TransportError, attempt: int, replayable: bool, draw: float) -> float | None:
        """Return the wait before retrying after a network error, or None to give up."""
        if attempt >= self.max_attempts:
            return None
        if not (replayable or isinstance(exc, _NEVER_SENT)):
            return None
        return self.backoff(attempt, draw)

    def delay_after_status(
        self, status: int, retry_after: float | None, attempt: int, replayable: bool, draw: float
    ) -> float | None:
        """Return the wait before retrying after an error status, or None to give up."""
        if attempt >= self.max_attempts or not replayable or status not in RETRYABLE_STATUSES:
            return None
        if retry_after is not None:
            return retry_after if retry_after <= self.max_retry_after else None
        return self.backoff(attempt, draw)


def retry_after_seconds(headers: Mapping[str, str], now: datetime | None = None) -> float | None:
    """Return the wait a `Retry-After` header asks for, in seconds (delta-seconds or an HTTP date)."""
    raw = headers.get("retry-after")
    if raw is None:
        return None
    raw = raw.strip()
    if raw.isdigit():
        return float(raw)
    try:
        moment = parsedate_to_datetime(raw)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:  # HTTP dates are GMT
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())
