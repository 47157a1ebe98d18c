"""Recording an event: append it to the log and queue its webhook deliveries, in one transaction."""

from __future__ import annotations

from kasse.domain.events import PaymentEvent
from kasse.services.ports import UnitOfWork


def record(uow: UnitOfWork, event: PaymentEvent) -> int:
    """Append `event` to the log and queue a delivery for every subscribed registration."""
    event_id = uow.events.append(event)
    uow.outbox.enqueue(event, event_id)
    return event_id
