"""Time that moves only when a test moves it, and the shared test clock's stored state."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kasse.domain.clock_state import ClockState

EPOCH = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime = EPOCH) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at

    def set(self, moment: datetime) -> datetime:
        self.at = moment
        return self.at


class InMemoryClockState:
    """Where the shared test clock stands: None until someone moves it, as in a fresh store."""

    def __init__(self) -> None:
        self.state: ClockState | None = None

    def load(self, *, for_update: bool = False) -> ClockState | None:
        return self.state

    def save(self, state: ClockState) -> None:
        self.state = state
