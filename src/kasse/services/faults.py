"""The board of armed faults: arm, list, disarm, and take one when an operation or delivery runs.

Faults are a test instrument kept where every process of an installation sees them: in the shared store
(`FaultStore`; adapters/sql/fault_store.py), so a fault armed through one `kasse serve` worker fires in
another and in a separate `kasse worker`, and its `times` are counted once for all of them. Without a
store, a board keeps its faults in memory (`MemoryFaultStore`, for tests). A board made for production
mode refuses to arm anything, so no code path can fire a fault there.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Protocol

from kasse.domain.faults import Endpoint, Fault, FaultKind, check_spec
from kasse.services.ports import Clock, Ids


class FaultsDisabledError(RuntimeError):
    """Faults cannot be armed in production mode."""


def use_one(faults: Sequence[Fault], msn: str, kinds: frozenset[FaultKind],
            endpoint: Endpoint | None) -> tuple[Fault, Fault | None] | None:
    """Pick the oldest of `faults` that fires here; return it and what is left of it (None: used up)."""
    for fault in faults:
        if fault.kind in kinds and fault.matches(msn, fault.kind, endpoint):
            if fault.remaining is None:
                return fault, fault
            return fault, (replace(fault, remaining=fault.remaining - 1) if fault.remaining > 1 else None)
    return None


class FaultStore(Protocol):
    """Where armed faults live; `take` is atomic however many processes take at once."""

    def add(self, fault: Fault) -> None:
        """Store a newly armed fault."""
        ...

    def all(self) -> list[Fault]:
        """Return every armed fault, oldest first."""
        ...

    def remove(self, fault_id: str) -> bool:
        """Disarm one fault; return whether it was armed."""
        ...

    def remove_all(self, msn: str | None) -> int:
        """Disarm the sales unit's faults (all when None); return how many."""
        ...

    def armed(self, msn: str, kinds: frozenset[FaultKind]) -> bool:
        """Tell cheaply whether a fault of these kinds may be armed for the sales unit (hot path)."""
        ...

    def take(self, msn: str, kinds: frozenset[FaultKind], endpoint: Endpoint | None) -> Fault | None:
        """Fire the oldest matching fault, using up one of its times."""
        ...


class MemoryFaultStore:
    """Faults in this process's memory: a board of one process, and the tests of the board and the sender."""

    def __init__(self) -> None:
        self._faults: dict[str, Fault] = {}
        self._lock = threading.Lock()

    def add(self, fault: Fault) -> None:
        """Store a newly armed fault."""
        with self._lock:
            self._faults[fault.id] = fault

    def all(self) -> list[Fault]:
        """Return every armed fault, oldest first."""
        with self._lock:
            return list(self._faults.values())

    def remove(self, fault_id: str) -> bool:
        """Disarm one fault; return whether it was armed."""
        with self._lock:
            return self._faults.pop(fault_id, None) is not None

    def remove_all(self, msn: str | None) -> int:
        """Disarm the sales unit's faults (all when None); return how many."""
        with self._lock:
            gone = [i for i, f in self._faults.items() if msn is None or f.msn == msn]
            for fault_id in gone:
                del self._faults[fault_id]
            return len(gone)

    def armed(self, msn: str, kinds: frozenset[FaultKind]) -> bool:
        """Tell whether a fault of these kinds is armed for the sales unit."""
        return bool(self._faults) and any(f.msn == msn and f.kind in kinds for f in self.all())

    def take(self, msn: str, kinds: frozenset[FaultKind], endpoint: Endpoint | None) -> Fault | None:
        """Fire the oldest matching fault, using up one of its times."""
        with self._lock:
            used = use_one(list(self._faults.values()), msn, kinds, endpoint)
            if used is None:
                return None
            fault, left = used
            if left is None:
                del self._faults[fault.id]
            else:
                self._faults[fault.id] = left
            return fault


class FaultBoard:
    """Thread-safe: the API's event loop and the database threads may take faults at the same time."""

    def __init__(self, clock: Clock, ids: Ids, store: FaultStore | None = None, *, enabled: bool = True) -> None:
        self._clock = clock
        self._ids = ids
        self.enabled = enabled
        self.store: FaultStore = MemoryFaultStore() if store is None else store

    def arm(self, msn: str, kind: FaultKind, *, endpoint: Endpoint | None = None, times: int | None = None,
            delay_seconds: float | None = None) -> Fault:
        """Arm a fault for one sales unit; raises FaultSpecError naming a bad setting."""
        if not self.enabled:
            raise FaultsDisabledError("faults are never armed in production mode")
        check_spec(kind, endpoint, times, delay_seconds)
        fault = Fault(id=f"fault-{self._ids.token()[:16]}", msn=msn, kind=kind, armed_at=self._clock.now(),
                      endpoint=endpoint, remaining=times, delay_seconds=delay_seconds)
        self.store.add(fault)
        return fault

    def list(self, msn: str | None = None) -> list[Fault]:
        """Return the armed faults, oldest first, of one sales unit or of all."""
        if not self.enabled:
            return []
        return [f for f in self.store.all() if msn is None or f.msn == msn]

    def disarm(self, fault_id: str) -> bool:
        """Disarm one fault; return whether it was armed."""
        return self.enabled and self.store.remove(fault_id)

    def disarm_all(self, msn: str | None = None) -> int:
        """Disarm every fault of one sales unit (or all of them); return how many."""
        return self.store.remove_all(msn) if self.enabled else 0

    def armed(self, msn: str, kinds: Iterable[FaultKind] = frozenset(FaultKind)) -> bool:
        """Tell cheaply whether anything of these kinds is armed for this sales unit (the hot path asks first)."""
        return self.enabled and self.store.armed(msn, frozenset(kinds))

    def take(self, msn: str, kinds: Iterable[FaultKind], endpoint: Endpoint | None = None) -> Fault | None:
        """Fire the oldest armed fault of these kinds that matches, using up one of its times."""
        wanted = frozenset(kinds)
        if not self.armed(msn, wanted):
            return None
        return self.store.take(msn, wanted, endpoint)
