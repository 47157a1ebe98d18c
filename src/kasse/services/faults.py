"""The board of armed faults: arm, list, disarm, and take one when an operation or delivery runs.

Faults live in the memory of the process that armed them, like the test clock: they are a test
instrument, not data, and a restart disarms them all. A board made for production mode refuses to
arm anything, so no code path can fire a fault there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import replace

from kasse.domain.faults import Endpoint, Fault, FaultKind, check_spec
from kasse.services.ports import Clock, Ids


class FaultsDisabledError(RuntimeError):
    """Faults cannot be armed in production mode."""


class FaultBoard:
    """Thread-safe: the API's event loop and the database threads may take faults at the same time."""

    def __init__(self, clock: Clock, ids: Ids, *, enabled: bool = True) -> None:
        self._clock = clock
        self._ids = ids
        self.enabled = enabled
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def arm(self, msn: str, kind: FaultKind, *, endpoint: Endpoint | None = None, times: int | None = None,
            delay_seconds: float | None = None) -> Fault:
        """Arm a fault for one sales unit; raises FaultSpecError naming a bad setting."""
        if not self.enabled:
            raise FaultsDisabledError("faults are never armed in production mode")
        check_spec(kind, endpoint, times, delay_seconds)
        fault = Fault(id=f"fault-{self._ids.token()[:16]}", msn=msn, kind=kind, armed_at=self._clock.now(),
                      endpoint=endpoint, remaining=times, delay_seconds=delay_seconds)
        with self._lock:
            self._faults[fault.id] = fault
        return fault

    def list(self, msn: str | None = None) -> list[Fault]:
        """Return the armed faults, oldest first, of one sales unit or of all."""
        with self._lock:
            faults = list(self._faults.values())
        return [f for f in faults if msn is None or f.msn == msn]

    def disarm(self, fault_id: str) -> bool:
        """Disarm one fault; return whether it was armed."""
        with self._lock:
            return self._faults.pop(fault_id, None) is not None

    def disarm_all(self, msn: str | None = None) -> int:
        """Disarm every fault of one sales unit (or all of them); return how many."""
        with self._lock:
            gone = [i for i, f in self._faults.items() if msn is None or f.msn == msn]
            for fault_id in gone:
                del self._faults[fault_id]
            return len(gone)

    def armed(self, msn: str) -> bool:
        """Tell cheaply whether anything is armed for this sales unit (the hot path asks first)."""
        return bool(self._faults) and any(f.msn == msn for f in self.list())

    def take(self, msn: str, kinds: Iterable[FaultKind], endpoint: Endpoint | None = None) -> Fault | None:
        """Fire the oldest armed fault of these kinds that matches, using up one of its times."""
        if not self._faults:
            return None
        wanted = frozenset(kinds)
        with self._lock:
            for fault in self._faults.values():
                if fault.kind in wanted and fault.matches(msn, fault.kind, endpoint):
                    if fault.remaining is not None:
                        if fault.remaining <= 1:
                            del self._faults[fault.id]
                        else:
                            self._faults[fault.id] = replace(fault, remaining=fault.remaining - 1)
                    return fault
        return None

