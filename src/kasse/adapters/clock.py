"""Clocks: the system clock, and a controllable one the test control plane can move or freeze."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from kasse.domain.clock_state import ClockState


class SystemClock:
    """Real time, UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ControllableClock:
    """Real time plus an offset, or frozen at a moment; thread-safe, never goes backwards by itself."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._frozen: datetime | None = None
        self._version = 0  # of the shared state last taken on (services/shared_clock.py)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        frozen = self._frozen
        return frozen if frozen is not None else datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._frozen += delta
            else:
                self._offset += delta
            return self.now()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._frozen = moment
            else:
                self._offset = moment - datetime.now(UTC)
            return self.now()

    def freeze(self) -> datetime:
        with self._lock:
            self._frozen = self.now()
            return self._frozen

    def unfreeze(self) -> datetime:
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - datetime.now(UTC)
                self._frozen = None
            return self.now()

    def state(self) -> ClockState:
        """Return where the clock stands, to store it for the other processes."""
        with self._lock:
            return ClockState(self._offset, self._frozen, self._version)

    def restore(self, state: ClockState) -> bool:
        """Take on a stored state newer than the one this clock has; return whether it did.

        A state read just before another thread stored a newer one must not undo that move.
        """
        with self._lock:
            if state.version <= self._version:
                return False
            self._offset, self._frozen, self._version = state.offset, state.frozen_at, state.version
            return True

    @property
    def frozen(self) -> bool:
        return self._frozen is not None
