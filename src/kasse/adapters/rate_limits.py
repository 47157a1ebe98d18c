"""The per-reference rate limits (domain/rate_limits.py), counted where every serving process sees the count.

One process (SQLite: `kasse serve` is one process) counts in memory: exact there, and free. Several
processes (PostgreSQL, `--workers N`, more hosts) count in the shared store: one statement per call,
an upsert on the UNLOGGED `rate_limits` row of the reference that locks it while it decides, so racing
calls through different processes are counted one after the other and exactly `limit` of them pass.
A write counts inside its own transaction; a read counts in a transaction of its own, which waits for
no WAL flush because the table is unlogged. The expiry sweep prunes windows that have gone quiet.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kasse.adapters.sql import rows
from kasse.domain.rate_limits import LIMITS, WINDOW_US, refusal

_PRUNE_EVERY = 10_000


class MemoryRateLimiter:
    """Sliding windows in this process's memory; `uow` is ignored."""

    shared = False

    def __init__(self, now: Callable[[], datetime], *, enabled: bool = True) -> None:
        self._now = now
        self.enabled = enabled
        self._hits: dict[tuple[str, str, str], deque[int]] = {}
        self._calls = 0
        self._lock = threading.Lock()  # reads count on the event loop, writes on the writer thread

    def hit(self, uow: object, operation: str, scope: str, reference: str) -> None:
        """Count a call; raise RateLimitedError when the window is full."""
        if not self.enabled:
            return
        now = rows.to_us(self._now())
        with self._lock:
            window = self._hits.setdefault((operation, scope, reference), deque())
            while window and window[0] <= now - WINDOW_US:
                window.popleft()
            if len(window) >= LIMITS[operation]:
                raise refusal(operation, reference, window[0], now)
            window.append(now)
            self._calls += 1
            if self._calls % _PRUNE_EVERY == 0:
                self._prune(now)

    def _prune(self, now: int) -> None:
        stale = [k for k, w in self._hits.items() if not w or w[-1] <= now - WINDOW_US]
        for key in stale:
            del self._hits[key]

    def prune(self, uow: object) -> int:
        return 0


# the window without its expired hits, then this hit unless the window is full; `refused` says which it was
_WINDOW = "(SELECT count(*) FROM unnest(string_to_array(r.hits, ',')::bigint[]) AS h(t) WHERE h.t > ?)"
_KEPT = "(SELECT string_agg(h.t::text, ',' ORDER BY h.t) FROM unnest(string_to_array(r.hits, ',')::bigint[]) AS h(t)" \
        " WHERE h.t > ?)"
_HIT = (
    "INSERT INTO rate_limits AS r (operation, scope, reference, hits, refused, last_at) VALUES (?, ?, ?, ?, FALSE, ?)"
    f" ON CONFLICT (operation, scope, reference) DO UPDATE SET refused = {_WINDOW} >= ?,"
    f" hits = CASE WHEN {_WINDOW} >= ? THEN r.hits ELSE concat_ws(',', {_KEPT}, ?::text) END,"
    f" last_at = CASE WHEN {_WINDOW} >= ? THEN r.last_at ELSE ? END"
    " RETURNING refused, hits"
)


class SqlRateLimiter:
    """Sliding windows in PostgreSQL's `rate_limits` table, shared by every process; `uow` runs the statement."""

    shared = True

    def __init__(self, now: Callable[[], datetime], *, enabled: bool = True) -> None:
        self._now = now
        self.enabled = enabled

    def hit(self, uow: Any, operation: str, scope: str, reference: str) -> None:
        """Count a call in the caller's transaction; raise RateLimitedError when the window is full."""
        if not self.enabled:
            return
        now = rows.to_us(self._now())
        cutoff, limit = now - WINDOW_US, LIMITS[operation]
        refused, hits = uow.conn.execute(_HIT, (
            operation, scope, reference, str(now), now, cutoff, limit, cutoff, limit, cutoff, str(now), cutoff,
            limit, now)).fetchone()
        if refused:
            raise refusal(operation, reference, min(t for t in map(int, hits.split(",")) if t > cutoff), now)

    def prune(self, uow: Any) -> int:
        """Drop windows whose last hit has left them; return how many."""
        cutoff = rows.to_us(self._now()) - WINDOW_US
        return int(uow.conn.execute("DELETE FROM rate_limits WHERE last_at <= ?", (cutoff,)).rowcount)
