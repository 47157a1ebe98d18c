"""What a move of kasse's test clock makes due, done at once: the expiries and the ledger dates it passed.

The control plane (`/_kasse/clock`) and the console's Time page both move the clock; both then call
`after_move`, so a move answers with what it did instead of leaving it to the loops' next turn.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kasse.services.expiry import sweep_expired
from kasse.services.faults import FaultBoard
from kasse.services.ledger_closing import ClosedDate, close_due_ledgers, dates_passed
from kasse.services.ports import Clock, Ids, UnitOfWork

Read = Callable[[Callable[[UnitOfWork], Any]], Any]
Write = Callable[[Callable[[UnitOfWork], Any]], Awaitable[Any]]


@dataclass(frozen=True, slots=True)
class ClockMoved:
    """Where the clock stands after a move, how many payments expired, which ledger dates closed."""

    now: datetime
    expired: int
    passed: list[ClosedDate]


async def after_move(read: Read, write: Write, clock: Clock, ids: Ids, faults: FaultBoard | None,
                     before: datetime, wake: Callable[[], None]) -> ClockMoved:
    """Expire what the move made due, close the ledger dates whose midnight it passed, then `wake` the loops."""
    expired = await sweep_expired(write, clock, ids)
    # the dates whose midnight the move passed close now (or a closing loop beat us to it), so the answer shows them
    closed = await close_due_ledgers(read, write, clock, faults)
    now = clock.now()
    passed = read(lambda uow: dates_passed(uow, before, now, closed))
    wake()  # the delivery and behaviour loops look for due work now, not at their next poll
    return ClockMoved(now, expired, passed)
