"""Test actions on a ledger between closings: dispute a capture and return it, top up, credit notes, corrections.

Each writes one entry now, on the ledger's open date, in the transaction that holds the ledger's lock.
Dates whose close has come are closed first, as a capture's booking does, so a date's entries stay one
run and a closed date's report never changes (contract §4 no. 13, no. 32).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from kasse.domain.ledger import EntryType, Ledger, LedgerEntry, Movement, Topic, post
from kasse.domain.ledger_adjustment import Adjustment, AdjustmentError, retain_disputed, return_disputed
from kasse.domain.ledger_date import ledger_date_of
from kasse.services.ledger_booking import close_due, save
from kasse.services.partners import UnknownLedgerError
from kasse.services.ports import UnitOfWork

Plan = Callable[[Ledger, datetime, date], Movement]


def _write_now(uow: UnitOfWork, ledger_id: str, now: datetime, plan: Plan) -> LedgerEntry:
    ledger = uow.ledgers.get(ledger_id, for_update=True)
    if ledger is None:
        raise UnknownLedgerError(ledger_id)
    ledger, _ = close_due(uow, ledger, now)
    day = max(ledger_date_of(now, ledger.market), ledger.first_open)
    ledger, entry = post(ledger, plan(ledger, now, day))
    uow.ledgers.append([entry])
    save(uow, ledger)
    return entry


def dispute_capture(uow: UnitOfWork, now: datetime, ledger_id: str, psp_reference: str,
                    amount: int | None = None) -> LedgerEntry:
    """Hold back a disputed capture (all of it, or `amount`): `retained-disputed-capture` with its ids.

    Raises:
        UnknownLedgerError: no such ledger.
        AdjustmentError: no such capture, already under dispute, or an amount above what was captured.
    """

    def plan(ledger: Ledger, at: datetime, day: date) -> Movement:
        history = uow.ledgers.of_psp_reference(ledger.ledger_id, Topic.FUNDS, psp_reference)
        return retain_disputed(history, amount, at, day)

    return _write_now(uow, ledger_id, now, plan)


def return_dispute(uow: UnitOfWork, now: datetime, ledger_id: str, psp_reference: str) -> LedgerEntry:
    """Give back what a capture's dispute holds (the merchant won): `returned-disputed-capture` with its ids.

    Raises:
        UnknownLedgerError: no such ledger.
        AdjustmentError: no such capture, or the capture is not under dispute.
    """

    def plan(ledger: Ledger, at: datetime, day: date) -> Movement:
        history = uow.ledgers.of_psp_reference(ledger.ledger_id, Topic.FUNDS, psp_reference)
        return return_disputed(history, at, day)

    return _write_now(uow, ledger_id, now, plan)


def adjust(uow: UnitOfWork, now: datetime, ledger_id: str, entry_type: EntryType, topic: Topic,
           amount: int | None, reference: str | None = None) -> LedgerEntry:
    """Write a `top-up`, `credit-note` or `correction` now; a top-up without an amount covers a negative balance.

    Its pspReference is `<entryType>-<ledgerId>-<position>`, unique on its topic.

    Raises:
        UnknownLedgerError: no such ledger.
        AdjustmentError: a type, topic or amount that cannot be written (it names the field).
    """

    def plan(ledger: Ledger, at: datetime, day: date) -> Movement:
        wanted = amount
        if wanted is None:
            if entry_type is not EntryType.TOP_UP or ledger.funds.balance >= 0:
                raise AdjustmentError("amount", "give the amount (a top-up without one needs a negative balance)")
            wanted = -ledger.funds.balance
        adjustment = Adjustment(entry_type, topic, wanted, reference)
        position = ledger.state(topic).position + 1
        return adjustment.movement(f"{entry_type.value}-{ledger.ledger_id}-{position}", at, day)

    return _write_now(uow, ledger_id, now, plan)
