"""One payment's story for its console page: everything recorded about it, merged into one timeline.

Requests come from the request log, events from the event log, wallet steps from the wallet's entry and
the events they caused, webhook deliveries with every attempt from the delivery log. Read in one unit of
work, so the page shows one moment of the store.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kasse.domain.events import PaymentEvent
from kasse.domain.inbox import Answer, PaymentRequest, RequestSource
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName
from kasse.domain.user import User
from kasse.domain.webhook_delivery import Attempt
from kasse.domain.webhook_signature import sign
from kasse.services.ports import UnitOfWork
from kasse.services.read_models import DeliveryRecord
from kasse.services.receipts import EPAYMENT_TYPE, receipt_of

REQUESTS_SHOWN = 500  # the newest; a payment polled for hours has more, and the log keeps them

# what the wallet entry's source says the customer did first
ARRIVALS = {
    RequestSource.PUSH: "The payment request arrived in the wallet (push)",
    RequestSource.CHECK_IN: "The payment request arrived after the check-in at the callback QR",
    RequestSource.QR: "The customer scanned the one-time QR",
    RequestSource.LANDING: "The customer typed the phone number on the landing page",
}
ANSWERS = {
    Answer.APPROVED: (EventName.AUTHORIZED, "The customer approved"),
    Answer.REJECTED: (EventName.ABORTED, "The customer rejected"),
    Answer.DECLINED: (EventName.ABORTED, "The customer approved; the card was declined"),
}


@dataclass(frozen=True, slots=True)
class AttemptView:
    """One attempt of a delivery, with the headers it was signed with."""

    attempt: Attempt
    headers: dict[str, str]


@dataclass(frozen=True, slots=True)
class Entry:
    """One line of the timeline; `kind` is request, event, wallet or webhook, `item` what it shows."""

    at: datetime
    kind: str
    title: str
    item: Any = None
    attempts: Sequence[AttemptView] = ()


@dataclass(frozen=True, slots=True)
class PaymentStory:
    """A payment and everything recorded about it."""

    payment: Payment
    entries: list[Entry]
    receipt: dict[str, Any] | None
    customer: User | None
    wallet: PaymentRequest | None
    deliveries: list[DeliveryRecord] = field(default_factory=list)


def _attempts(uow: UnitOfWork, record: DeliveryRecord) -> list[AttemptView]:
    registration = uow.webhooks.get(record.delivery.msn, record.delivery.webhook_id)
    views = []
    for attempt in record.attempts:
        headers = {"content-type": "application/json"}
        if registration is not None and record.url:  # signed as the sender signs, for the attempt's moment
            headers |= sign(registration.secret, record.url, record.payload, attempt.sent_at).as_dict()
        views.append(AttemptView(attempt, headers))
    return views


def _wallet_entries(request: PaymentRequest | None, events: Sequence[PaymentEvent]) -> list[Entry]:
    if request is None:
        return []
    found = [Entry(request.arrived_at, "wallet", ARRIVALS[request.source], request)]
    if request.answer in ANSWERS:
        name, title = ANSWERS[request.answer]
        caused = next((e for e in events if e.name is name), None)
        if caused is not None:  # the answer's moment is the event it caused
            found.append(Entry(caused.timestamp, "wallet", title, request))
    return found


def _requests(uow: UnitOfWork, msn: str, reference: str) -> list[Entry]:
    found = uow.request_log.search(msn=msn, reference=reference, limit=REQUESTS_SHOWN)
    return [Entry(r.at, "request", f"{r.method} {r.path}", r) for r in found]


def payment_story(uow: UnitOfWork, msn: str, reference: str) -> PaymentStory | None:
    """Return everything recorded about one payment, its timeline in time order; None if there is no such payment."""
    payment = uow.payments.get(msn, reference)
    if payment is None:
        return None
    events = list(uow.events.list(msn, reference))
    request = uow.wallet.get_request(msn, reference)
    deliveries = list(uow.delivery_log.history(reference=reference, msn=msn, limit=200))
    entries = [
        *_requests(uow, msn, reference),
        *(Entry(e.timestamp, "event", e.name.value, e) for e in events),
        *_wallet_entries(request, events),
        *(Entry(d.delivery.created_at, "webhook", d.delivery.event_type, d, _attempts(uow, d)) for d in deliveries),
    ]
    order = {"request": 0, "wallet": 1, "event": 2, "webhook": 3}  # at one moment: asked, answered, recorded, sent
    entries.sort(key=lambda e: (e.at, order[e.kind]))
    return PaymentStory(payment, entries, receipt_of(uow, msn, EPAYMENT_TYPE, reference),
                        uow.users.get(request.msisdn) if request else None, request, deliveries)

