"""A test event: one sample webhook sent to one registration through the real outbox, signed like any other.

It lets a developer check a receiver (reachable, verifies the signature, answers 2xx) before any payment
exists. The payload has the event type's real shape; its reference starts with `test-event-` and no payment
has it, so a receiver can tell it apart. It is queued in the store like every delivery, so the delivery
loop sends it, signs it with the registration's secret, retries it and records each attempt.
"""

from __future__ import annotations

from datetime import datetime

from kasse.domain.events import PaymentEvent
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.domain.timefmt import rfc3339
from kasse.domain.webhook_registration import CHECKED_IN
from kasse.services.ports import Clock, Ids, UnitOfWork
from kasse.services.webhooks import WebhookNotFoundError

SAMPLE_AMOUNT = 100  # minor units: 1.00 in the unit's currency
REFERENCE_PREFIX = "test-event-"
_PAYMENT_EVENTS = {name.webhook_event: name for name in EventName}


def sample_payload(msn: str, event_type: str, amount: Money, token: str, at: datetime) -> dict[str, object]:
    """Return a payload of `event_type`'s shape for the sales unit; `token` makes its ids unique."""
    if event_type == CHECKED_IN:
        return {"customerToken": f"{REFERENCE_PREFIX}{token}", "merchantQrId": f"{REFERENCE_PREFIX}qr", "msn": msn,
                "initiatedAt": rfc3339(at)}
    event = PaymentEvent(msn, f"{REFERENCE_PREFIX}{token[:12]}", token, _PAYMENT_EVENTS[event_type], amount, at, None)
    return event.to_webhook()


def send_test_event(uow: UnitOfWork, clock: Clock, ids: Ids, *, msn: str, webhook_id: str,
                    event_type: str | None = None) -> int:
    """Queue a sample event to one registration of the sales unit; return the delivery's id.

    The event type is the one asked for, else the first the registration subscribes to.

    Raises:
        WebhookNotFoundError: the sales unit has no such registration, or it is not subscribed to `event_type`.
    """
    registration = uow.webhooks.get(msn, webhook_id)
    if registration is None or (event_type is not None and event_type not in registration.events):
        raise WebhookNotFoundError(webhook_id)
    chosen = event_type or registration.events[0]
    merchant = uow.merchants.get(msn)
    currency = merchant.currency if merchant is not None else Currency.NOK
    now = clock.now()
    payload = sample_payload(msn, chosen, Money(SAMPLE_AMOUNT, currency), ids.psp_reference(), now)
    return uow.outbox.enqueue_to(webhook_id, msn, chosen, payload, now)
