"""Moving the test clock for every process at once, through the database they share.

Each process keeps its own `ControllableClock` (reading the time must cost nothing), so a move is
written to the database and every process takes it on: the one that moved it at once, the others
when they next look (`follow`, a few times a second) and any process when it starts. A restarted
server therefore keeps the virtual time it had, and `serve --workers N` behind one address tells
one time whichever worker answers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol, TypeVar

from kasse.domain.clock_state import ClockState, state_problem
from kasse.services.ports import UnitOfWork


class MovableClock(Protocol):
    """A clock whose state can be read, taken on and set (adapters.clock.ControllableClock)."""

    def now(self) -> datetime:
        """Return the current UTC-aware moment."""
        ...

    def state(self) -> ClockState:
        """Return where the clock stands."""
        ...

    def restore(self, state: ClockState) -> bool:
        """Take on a state; return whether that moved the clock."""
        ...

    def set(self, moment: datetime) -> datetime:
        """Move the clock to `moment`."""
        ...


C = TypeVar("C", bound=MovableClock)
T = TypeVar("T")


def move(uow: UnitOfWork, clock: C, how: Callable[[C], T]) -> T:
    """Move the clock from the shared state (locked while moving) and store where it ends."""
    stored = uow.clock_state.load(for_update=True)
    if stored is not None:
        clock.restore(stored)
    result = how(clock)
    moved = replace(clock.state(), version=(stored.version if stored is not None else 0) + 1)
    clock.restore(moved)
    uow.clock_state.save(moved)
    return result


def follow(uow: UnitOfWork, clock: MovableClock) -> bool:
    """Take on the stored state if another process moved the clock; return whether it moved."""
    stored = uow.clock_state.load()
    return stored is not None and clock.restore(stored)


def reset_unusable(uow: UnitOfWork, real_now: datetime) -> str | None:
    """At start: replace a stored state that cannot be used with real time; return why it was replaced, or None.

    A state stored before the clock's bounds existed (`9999-12-31`) would make every request fail, and
    one that cannot be read at all would stop the server from starting: neither may brick an instance.
    """
    problem: str | None
    try:
        stored = uow.clock_state.load(for_update=True)
    except ValueError as exc:
        stored, problem = None, f"it cannot be read ({exc})"
    else:
        problem = None if stored is None else state_problem(stored, real_now)
    if problem is None:
        return None
    # newer than the version any process holds: every one takes the reset on
    version = stored.version + 1 if stored is not None else int(real_now.timestamp())
    uow.clock_state.save(ClockState(version=version))
    return problem
