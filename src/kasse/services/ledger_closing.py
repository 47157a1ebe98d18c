"""Closing ledger dates on kasse's clock: the background loop and every clock move call `close_due_ledgers`.

Each ledger closes in its own transaction, under its row lock on PostgreSQL (the single writer on
SQLite): a second worker that reaches the same ledger waits, then finds the date closed and writes
nothing. A crash before COMMIT leaves the date open, to be closed once by whoever comes next.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from kasse.domain.faults import FaultKind
from kasse.domain.ledger import Ledger
from kasse.domain.ledger_closing import Closing, ClosingFaults
from kasse.services.faults import FaultBoard
from kasse.services.ledger_booking import FaultsOf, close_due, save
from kasse.services.ports import UnitOfWork

BATCH = 200  # ledgers looked at per query


@dataclass(frozen=True, slots=True)
class ClosedDate:
    """One ledger date that a call closed."""

    ledger_id: str
    msn: str
    ledger_date: date
    payout: int | None  # the amount paid out, if a payout was scheduled


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


def close_ledger(uow: UnitOfWork, ledger_id: str, now: datetime, board: FaultBoard | None) -> list[ClosedDate]:
    """Close every due date of one ledger, in order, in this transaction; return what was closed."""
    ledger = uow.ledgers.get(ledger_id, for_update=True)
    if ledger is None:
        return []
    ledger, closings = close_due(uow, ledger, now, armed_faults(board))
    if closings:
        save(uow, ledger)
    return [ClosedDate(ledger.ledger_id, ledger.msn, c.ledger_date, c.payout.amount if c.payout else None)
            for c in closings]
