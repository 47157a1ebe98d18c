"""Closing ledger dates on kasse's clock: the background loop and every clock move call `close_due_ledgers`.

Each ledger closes in its own transaction, under its row lock on PostgreSQL (the single writer on
SQLite): a second worker that reaches the same ledger waits, then finds the date closed and writes
nothing. A crash before COMMIT leaves the date open, to be closed once by whoever comes next.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kasse.domain.faults import SLOW_CLOSING_SECONDS, FaultKind
from kasse.domain.ledger import Ledger
from kasse.domain.ledger_closing import Closing, ClosingFaults
from kasse.domain.ledger_date import ONE_DAY, last_due
from kasse.services.faults import FaultBoard
from kasse.services.ledger_booking import FaultsOf, close_due, save
from kasse.services.ports import Clock, UnitOfWork

BATCH = 200  # ledgers looked at per query
MAX_ROUNDS = 1000  # a guard: each round closes up to a batch of ledgers through today

log = logging.getLogger("kasse.ledgers")


@dataclass(frozen=True, slots=True)
class ClosedDate:
    """One ledger date that a call closed."""

    ledger_id: str
    msn: str
    ledger_date: date
    payout: int | None  # the amount paid out, if a payout was scheduled
    payout_id: str | None = None  # its pspReference, `<ledgerId>-<n>`
    currency: str = ""  # the ledger's


def armed_faults(board: FaultBoard | None) -> FaultsOf:
    """Return the closing's fault hook over the board: a correction, and an abort of a payout that is planned."""

    def faults(ledger: Ledger, planned: Closing) -> ClosingFaults:
        if board is None:
            return ClosingFaults()
        correction = board.take(ledger.msn, [FaultKind.REPORT_CORRECTION]) is not None
        abort = planned.payout is not None and board.take(ledger.msn, [FaultKind.REPORT_PAYOUT_ABORTED]) is not None
        return ClosingFaults(correction=correction, abort_payout=abort)

    return faults


def due_ledgers(uow: UnitOfWork, now: datetime) -> Sequence[str]:
    """Return ids of ledgers with a date to close by `now`."""
    return uow.ledgers.due(now, BATCH)


def close_ledger(uow: UnitOfWork, ledger_id: str, now: datetime, board: FaultBoard | None,
                 pause: Callable[[float], None] = time.sleep) -> list[ClosedDate]:
    """Close every due date of one ledger, in order, in this transaction; return what was closed.

    An armed `report.slow-closing` holds the transaction open (`pause`) after the writes, before COMMIT.
    """
    ledger = uow.ledgers.get(ledger_id, for_update=True)
    if ledger is None:
        return []
    ledger, closings = close_due(uow, ledger, now, armed_faults(board))
    if closings:
        save(uow, ledger)
        held = board.take(ledger.msn, [FaultKind.REPORT_SLOW_CLOSING]) if board is not None else None
        if held is not None:  # the take commits with this closing, so only the log tells that the hold began
            seconds = held.delay_seconds or SLOW_CLOSING_SECONDS
            log.warning("report.slow-closing: holding the closing of ledger %s open for %.0f s", ledger_id, seconds)
            pause(seconds)
    return [ClosedDate(ledger.ledger_id, ledger.msn, c.ledger_date, c.payout.amount if c.payout else None,
                       c.payout.psp_reference if c.payout else None, ledger.currency.value) for c in closings]


Read = Callable[[Callable[[UnitOfWork], Sequence[str]]], Sequence[str]]
Write = Callable[[Callable[[UnitOfWork], list[ClosedDate]]], Awaitable[list[ClosedDate]]]


def _close(uow: UnitOfWork, *, ledger_id: str, clock: Clock, board: FaultBoard | None) -> list[ClosedDate]:
    return close_ledger(uow, ledger_id, clock.now(), board)


async def close_due_ledgers(read: Read, write: Write, clock: Clock, board: FaultBoard | None) -> list[ClosedDate]:
    """Close every due date of every ledger now, a transaction per ledger; return what this call closed."""
    closed: list[ClosedDate] = []
    for _ in range(MAX_ROUNDS):
        # off the event loop: on PostgreSQL a read is a round trip
        due = await asyncio.to_thread(read, lambda uow: due_ledgers(uow, clock.now()))
        if not due:
            break
        jobs = [write(functools.partial(_close, ledger_id=ledger_id, clock=clock, board=board)) for ledger_id in due]
        for result in await asyncio.gather(*jobs):
            closed.extend(result)
    return closed


def dates_passed(uow: UnitOfWork, before: datetime, after: datetime,
                 closed: Sequence[ClosedDate] = ()) -> list[ClosedDate]:
    """Return, per ledger, the closed dates whose midnight came between `before` and `after` (a clock move's).

    Each carries its payout: from `closed` (what this move closed), else read back (a closing loop came first).
    """
    known = {(c.ledger_id, c.ledger_date): c for c in closed}
    passed = []
    for ledger in uow.ledgers.list(after=None, limit=1_000_000):
        day = last_due(before, ledger.market) + ONE_DAY
        end = min(last_due(after, ledger.market), ledger.last_closed)
        missing = [d for d in _days(day, end) if (ledger.ledger_id, d) not in known]
        paid = {p.ledger_date: p for p in uow.ledgers.payouts(ledger.ledger_id)} if missing and ledger.payouts else {}
        for d in _days(day, end):
            payout = paid.get(d)
            passed.append(known.get((ledger.ledger_id, d)) or ClosedDate(
                ledger.ledger_id, ledger.msn, d, payout.amount if payout else None,
                payout.psp_reference if payout else None, ledger.currency.value))
    return passed


def _days(first: date, last: date) -> list[date]:
    return [first + i * ONE_DAY for i in range((last - first).days + 1)] if last >= first else []
