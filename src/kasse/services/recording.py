"""Recording an event: append it to the log, queue its webhook deliveries and book its ledger entry, all at once."""

from __future__ import annotations

from datetime import datetime

from kasse.domain.events import PaymentEvent
from kasse.services.ledger_booking import book
from kasse.services.ports import UnitOfWork


def record(uow: UnitOfWork, event: PaymentEvent) -> None:
    """Append `event` to the log, queue a delivery for every subscribed registration, and book its money.

    Neither the append nor the queueing waits for an answer from the store, so on PostgreSQL they travel
    together with the rest of the job's writes.
    """
    uow.events.append(event)
    uow.outbox.enqueue(event)
    book(uow, event)  # a capture's or refund's ledger entry commits with it


CHECKED_IN = "user.checked-in.v1"


def record_check_in(uow: UnitOfWork, msn: str, payload: dict[str, object], at: datetime) -> int:
    """Queue the `user.checked-in.v1` webhook (contract §5.4a) for the sales unit's registration."""
    return uow.outbox.enqueue_raw(msn, CHECKED_IN, payload, at)
