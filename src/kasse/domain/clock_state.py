"""Where kasse's test clock stands, as one value every process of an installation can share."""

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
