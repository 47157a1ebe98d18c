"""Recording an event: append it to the log and queue its webhook deliveries, in one transaction."""

from __future__ import annotations

from datetime import datetime

from kasse.domain.events import PaymentEvent
from kasse.services.ports import UnitOfWork


def record(uow: UnitOfWork, event: PaymentEvent) -> None:
    """Append `event` to the log and queue a delivery for every subscribed registration.

    Neither step waits for an answer from the store, so on PostgreSQL both travel in one round trip.
    """
    uow.events.append(event)
    uow.outbox.enqueue(event)


CHECKED_IN = "user.checked-in.v1"


def record_check_in(uow: UnitOfWork, msn: str, payload: dict[str, object], at: datetime) -> int:
    """Queue the `user.checked-in.v1` webhook (contract §5.4a) for the sales unit's registration."""
    return uow.outbox.enqueue_raw(msn, CHECKED_IN, payload, at)
