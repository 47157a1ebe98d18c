"""Per-reference rate limits of contract §4.13, as sliding one-minute windows in memory.

Limits count per process; behind several processes each counts its own share (see the docs).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime

from kasse.api.problems import ProblemError

WINDOW = 60.0
# contract §4.13: calls per minute per reference
LIMITS: dict[str, int] = {"create": 5, "capture": 5, "cancel": 5, "refund": 5, "get": 120, "events": 120}
_PRUNE_EVERY = 10_000


class RateLimiter:
    def __init__(self, now: Callable[[], datetime], *, enabled: bool = True) -> None:
        self._now = now
        self.enabled = enabled
        self._hits: dict[tuple[str, str, str], deque[float]] = {}
        self._calls = 0

    def hit(self, operation: str, scope: str, reference: str) -> None:
        """Count a call; raise a 429 problem when the window is full."""
        if not self.enabled:
            return
        now = self._now().timestamp()
        key = (operation, scope, reference)
        window = self._hits.get(key)
        if window is None:
            window = self._hits[key] = deque()
        while window and window[0] <= now - WINDOW:
            window.popleft()
        limit = LIMITS[operation]
        if len(window) >= limit:
            retry = max(1, int(window[0] + WINDOW - now) + 1)
            raise ProblemError(
                429,
                f"Rate limit of {limit} {operation} calls per minute for this reference exceeded",
                [("reference", reference)],
                headers={"Retry-After": str(retry)},
            )
        window.append(now)
        self._calls += 1
        if self._calls % _PRUNE_EVERY == 0:
            self._prune(now)

    def _prune(self, now: float) -> None:
        stale = [k for k, w in self._hits.items() if not w or w[-1] <= now - WINDOW]
        for key in stale:
            del self._hits[key]
