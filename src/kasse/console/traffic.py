"""A payment's recorded traffic turned into the messages of its sequence diagram.

What the store holds (the API requests about the payment, its events, its webhook deliveries with every
attempt) maps to arrows between the four lifelines of `sequence.Lifeline`; refusals, retries and webhooks
that arrive after the merchant already moved on are kept, because they are what a developer debugs.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from kasse.console.sequence import Lifeline, Message, Outcome, outcome_of
from kasse.domain.events import PaymentEvent
from kasse.domain.inbox import PaymentRequest, RequestSource
from kasse.domain.money import format_local
from kasse.domain.payment_state import EventName
from kasse.domain.webhook_delivery import DeliveryState
from kasse.services.read_models import DeliveryRecord

M, E, A, W = Lifeline.MERCHANT, Lifeline.EPAYMENT, Lifeline.APP, Lifeline.WEBHOOKS
API_PREFIXES = ("/epayment/v1", "/order-management/v2", "/qr/v1")


class RecordedRequest(Protocol):
    """What the diagram needs of a request-log entry."""

    @property
    def at(self) -> datetime:
        """When the request arrived."""
    @property
    def method(self) -> str:
        """The HTTP method."""
    @property
    def path(self) -> str:
        """The path, without the query."""
    @property
    def status(self) -> int:
        """The status kasse answered."""
    @property
    def duration_ms(self) -> float:
        """How long kasse took to answer."""


def short_path(path: str, reference: str) -> str:
    """`/epayment/v1/payments/ref-1/capture` reads `/payments/…/capture` on an arrow."""
    for prefix in API_PREFIXES:
        if path.startswith(prefix + "/"):
            path = path[len(prefix):]
            break
    return path.replace(f"/{reference}", "/…") if reference else path


def request_messages(requests: Iterable[RecordedRequest], reference: str) -> list[Message]:
    """Each request an arrow to the ePayment API and its answer a dashed arrow back."""
    messages = []
    for request in requests:
        answered = request.at + timedelta(milliseconds=request.duration_ms)
        messages.append(Message(request.at, M, E, f"{request.method} {short_path(request.path, reference)}"))
        messages.append(Message(answered, E, M, str(request.status), outcome_of(request.status), reply=True,
                                detail=f"{request.duration_ms:.0f} ms"))
    return messages


def _event_message(event: PaymentEvent) -> Message:
    amount = format_local(event.amount)
    outcome = Outcome.OK if event.success else Outcome.REFUSED
    if event.name is EventName.AUTHORIZED:
        return Message(event.timestamp, A, E, "Approve", outcome, detail=amount)
    if event.name is EventName.ABORTED:
        return Message(event.timestamp, A, E, "Reject", Outcome.REFUSED, detail=amount)
    return Message(event.timestamp, E, E, f"{event.name.value} {amount}", outcome, detail=event.psp_reference)


def event_messages(events: Iterable[PaymentEvent]) -> list[Message]:
    """The customer's answers as arrows from the app; every other event a note on the ePayment API."""
    return [_event_message(event) for event in events]


def _is_late(record: DeliveryRecord, sent_at: datetime, captured_at: datetime | None) -> bool:
    return "authorized" in record.delivery.event_type and captured_at is not None and sent_at > captured_at


def delivery_messages(deliveries: Iterable[DeliveryRecord], captured_at: datetime | None = None) -> list[Message]:
    """Each webhook attempt an arrow to the merchant and its answer back; DEAD and pending retries as notes."""
    messages = []
    for record in deliveries:
        delivery = record.delivery
        name = delivery.event_type.removeprefix("epayments.payment.").removesuffix(".v1")
        messages.append(Message(delivery.created_at, E, W, f"event {name}"))
        for attempt in record.attempts:
            late = _is_late(record, attempt.sent_at, captured_at)
            detail = f"attempt {attempt.number}" + (", after the capture" if late else "")
            messages.append(Message(attempt.sent_at, W, M, f"POST webhook {name}",
                                    Outcome.REFUSED if late else Outcome.OK, detail=detail))
            answered = attempt.sent_at + timedelta(milliseconds=attempt.latency_ms)
            status = str(attempt.response_code) if attempt.response_code is not None else (attempt.error or "no answer")
            messages.append(Message(answered, M, W, status, outcome_of(attempt.response_code), reply=True,
                                    detail=f"{attempt.latency_ms} ms"))
        if delivery.state is DeliveryState.DEAD:
            messages.append(Message(delivery.next_attempt_at, W, W, "DEAD: no more retries", Outcome.FAILED))
        elif delivery.state is DeliveryState.PENDING and record.attempts:
            messages.append(Message(delivery.next_attempt_at, W, W, "retry due", Outcome.WAITING,
                                    detail=delivery.next_attempt_at.strftime("%H:%M:%S")))
    return messages


def payment_messages(requests: Sequence[RecordedRequest], events: Sequence[PaymentEvent],
                     deliveries: Sequence[DeliveryRecord], reference: str,
                     customer: Sequence[Message] = ()) -> list[Message]:
    """Every message of one payment's diagram: requests, events, deliveries and the customer's own steps."""
    captured_at = next((e.timestamp for e in events if e.name is EventName.CAPTURED), None)
    return [*request_messages(requests, reference), *event_messages(events),
            *delivery_messages(deliveries, captured_at), *customer]


# how the payment reached the customer's app, as the in-person guide draws it
ARRIVALS = {
    RequestSource.QR: (M, A, "Scan the QR on the display"),
    RequestSource.PUSH: (E, A, "Push: payment request"),
    RequestSource.CHECK_IN: (E, A, "Push after the check-in"),
    RequestSource.LANDING: (A, E, "Phone number on the landing page"),
}


def customer_messages(request: PaymentRequest | None) -> list[Message]:
    """The step that brought the payment to the customer's app (the answer itself is the event it caused)."""
    if request is None:
        return []
    source, target, label = ARRIVALS[request.source]
    return [Message(request.arrived_at, source, target, label)]
