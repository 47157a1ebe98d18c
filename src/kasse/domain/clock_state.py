"""Where kasse's test clock stands, as one value every process of an installation can share, and how far it may go.

The clock moves at most ten years at a time and never runs more than a century ahead of real time: every
date kasse derives from it (expiry, tokens, retry schedules, card lifetimes) then stays far inside the
calendar, so no request and no restart can meet a date overflow (issue #12 item 7).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class ClockState:
    """Real time shifted by `offset`, or stopped at `frozen_at`.

    An offset rather than a moment, so processes that load the same state tell the same time
    however long ago they loaded it (up to their machines' clock difference).
    """

    offset: timedelta = timedelta()
    frozen_at: datetime | None = None
    version: int = 0  # one more for every move: a process never takes on a state older than the one it has


MAX_MOVE = timedelta(days=10 * 365)  # one advance or set
MAX_AHEAD = timedelta(days=100 * 365)  # of real time, in all


def move_problem(current: datetime, target: datetime, real_now: datetime) -> str | None:
    """Return why the clock may not move from `current` to `target`, or None when it may."""
    if target - current > MAX_MOVE:
        return "the clock moves at most ten years at a time"
    if target - real_now > MAX_AHEAD:
        return "the clock runs at most 100 years ahead of real time"
    return None


def state_problem(state: ClockState, real_now: datetime) -> str | None:
    """Return why a stored state cannot be used (it would run the calendar out), or None when it can."""
    ahead = state.offset if state.frozen_at is None else state.frozen_at - real_now
    if ahead > MAX_AHEAD:
        return f"it stands {ahead.days} days ahead of real time, more than the {MAX_AHEAD.days} allowed"
    return None
