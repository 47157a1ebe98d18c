"""Booking money movements on ledgers: a ledger per sales unit, and an entry per capture and refund at once.

Called from `recording.record`, so an entry commits in the same transaction as the capture or refund that
made it: a crash can lose neither without the other. Entries go onto dates in order: before the first
entry of a new date, every earlier date is closed (`close_due`), so a date's entries are one run of
positions, and a date's report, once closed, never changes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

from kasse.domain.events import PaymentEvent
from kasse.domain.ledger import EntryType, Ledger, Movement, Topic, post_all
from kasse.domain.ledger_closing import Closing, ClosingFaults, close_date, still_negative_since, top_up_date
from kasse.domain.ledger_date import ONE_DAY, close_of, last_due, ledger_date_of
from kasse.domain.merchant import Merchant
from kasse.domain.payment_state import EventName
from kasse.domain.settlement_terms import DEFAULT_TERMS
from kasse.services.ports import UnitOfWork

FaultsOf = Callable[[Ledger, Closing], ClosingFaults]


def open_ledger(uow: UnitOfWork, merchant: Merchant, at: datetime) -> Ledger:
    """Open the sales unit's ledger with its market's default terms; its first date is the one `at` falls in."""
    first = ledger_date_of(at, merchant.market)
    ledger = Ledger(uow.ledgers.next_id(), merchant.msn, merchant.market, DEFAULT_TERMS[merchant.market],
                    last_closed=first - ONE_DAY)
    uow.ledgers.add(ledger, at, close_of(first, merchant.market))
    return ledger


def save(uow: UnitOfWork, ledger: Ledger) -> None:
    """Store the ledger's state, with when its first open date closes (what the closing loop looks for)."""
    uow.ledgers.save(ledger, close_of(ledger.first_open, ledger.market))


def close_due(uow: UnitOfWork, ledger: Ledger, now: datetime,
              faults: FaultsOf | None = None) -> tuple[Ledger, list[Closing]]:
    """Close, in order, every date of the ledger whose close has come by `now`; the caller saves the ledger.

    `faults` may turn a planned closing into one with armed test faults (it sees the plan, e.g. its payout).
    """
    closings: list[Closing] = []
    target = last_due(now, ledger.market)
    since = uow.ledgers.negative_since(ledger.ledger_id) if ledger.funds.balance < 0 else None
    while ledger.first_open <= target:
        if closings and ledger.fees.balance == 0 and ledger.funds.balance <= 0:
            # a negative balance's top-up date is closed in full; the quiet dates before it are skipped
            quiet_end = target if since is None else min(target, top_up_date(since) - ONE_DAY)
            ledger = _quiet_until(ledger, quiet_end, closings)
            if ledger.first_open > target:
                break
        closing = close_date(ledger, negative_since=since)
        if faults is not None:
            wanted = faults(ledger, closing)
            if wanted != ClosingFaults():
                closing = close_date(ledger, wanted, since)
        uow.ledgers.append(closing.entries)
        if closing.payout is not None:
            uow.ledgers.add_payout(closing.payout)
        ledger = closing.ledger
        since = still_negative_since(ledger, since, closing.ledger_date)
        closings.append(closing)
    return ledger, closings


def _quiet_until(ledger: Ledger, target: date, closings: list[Closing]) -> Ledger:
    # nothing to retain and nothing to pay out: every date up to `target` closes without an entry (a clock
    # moved years ahead closes thousands of dates; working each out took 35 µs a date)
    day = ledger.first_open
    if target < day:
        return ledger
    ledger = replace(ledger, last_closed=target)
    while day <= target:
        closings.append(Closing(day, ledger, [], None))
        day += ONE_DAY
    return ledger


def _movements(ledger: Ledger, event: PaymentEvent) -> list[Movement]:
    day = max(ledger_date_of(event.timestamp, ledger.market), ledger.first_open)  # late entries go to the open date
    amount = event.amount.value
    common = {"psp_reference": event.psp_reference, "time": event.timestamp, "ledger_date": day,
              "reference": event.reference, "recipient_handle": ledger.recipient_handle}
    if event.name is EventName.REFUNDED:  # refunds have no fee (contract §2.3)
        return [Movement(Topic.FUNDS, EntryType.REFUND, -amount, **common)]  # type: ignore[arg-type]
    movements = [Movement(Topic.FUNDS, EntryType.CAPTURE, amount, **common)]  # type: ignore[arg-type]
    fee = ledger.terms.fee_for(amount)
    if fee:
        movements.append(Movement(Topic.FEES, EntryType.CAPTURE_FEE, -fee, **common))  # type: ignore[arg-type]
    return movements


BOOKED = frozenset({EventName.CAPTURED, EventName.REFUNDED})


def book(uow: UnitOfWork, event: PaymentEvent) -> None:
    """Write the `funds` entry of a capture or refund (and a capture's `capture-fee`); other events move no money."""
    if event.name not in BOOKED or not event.success or event.amount.value == 0:
        return
    ledger = uow.ledgers.for_msn(event.msn, for_update=True)
    if ledger is None:  # a sales unit older than its ledger would be opened with it (migration 0007 opens those)
        merchant = uow.merchants.get(event.msn)
        assert merchant is not None, "a payment's sales unit exists"
        ledger = open_ledger(uow, merchant, event.timestamp)
    ledger, _ = close_due(uow, ledger, event.timestamp)
    ledger, entries = post_all(ledger, _movements(ledger, event))
    uow.ledgers.append(entries)
    save(uow, ledger)
