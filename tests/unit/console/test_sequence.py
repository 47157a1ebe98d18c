"""A payment's sequence diagram: recorded traffic becomes arrows between the four lifelines, drawn as SVG."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from kasse.console.sequence import Lifeline, Message, Outcome, draw
from kasse.console.traffic import payment_messages, short_path
from kasse.domain.events import PaymentEvent
from kasse.domain.money import Currency, Money
from kasse.domain.payment_state import EventName
from kasse.domain.webhook_delivery import Attempt, Delivery, DeliveryState, Trigger
from kasse.services.read_models import DeliveryRecord

T0 = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
REF = "order-1"
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class Request:
    at: datetime
    method: str
    path: str
    status: int
    duration_ms: float


def event(name: EventName, seconds: float, amount: int = 2500) -> PaymentEvent:
    return PaymentEvent(msn="123456", reference=REF, psp_reference=f"psp-{name.value}", name=name,
                        amount=Money(amount, Currency.NOK), timestamp=T0 + timedelta(seconds=seconds),
                        idempotency_key=None)


def delivery(state: DeliveryState, attempts: list[tuple[float, int | None]]) -> DeliveryRecord:
    record = Delivery(id=7, webhook_id="wh-1", msn="123456", reference=REF,
                      event_type="epayments.payment.authorized.v1", state=state, attempts=len(attempts),
                      created_at=T0 + timedelta(seconds=10), next_attempt_at=T0 + timedelta(seconds=90))
    tries = [Attempt(delivery_id=7, number=n + 1, outcome=Trigger.ACCEPTED if code == 200 else Trigger.REFUSED,
                     sent_at=T0 + timedelta(seconds=at), recorded_at=T0 + timedelta(seconds=at), response_code=code,
                     latency_ms=12, error=None if code else "timed out")
             for n, (at, code) in enumerate(attempts)]
    return DeliveryRecord(delivery=record, payload=b"{}", delivered_at=None, url="https://127.0.0.1/hook",
                          attempts=tries)


def test_the_in_person_flow_reads_in_time_order() -> None:
    requests = [Request(T0, "POST", "/epayment/v1/payments", 201, 8.0),
                Request(T0 + timedelta(seconds=20), "POST", f"/epayment/v1/payments/{REF}/capture", 200, 6.0)]
    events = [event(EventName.CREATED, 0.004), event(EventName.AUTHORIZED, 9), event(EventName.CAPTURED, 20.003)]
    messages = payment_messages(requests, events, [delivery(DeliveryState.DELIVERED, [(11, 200)])], REF)
    ordered = [m.label for m in sorted(messages, key=lambda m: m.at)]
    assert ordered == ["POST /payments", "CREATED 25,00 kr", "201", "Approve", "event authorized",
                       "POST webhook authorized", "200", "POST /payments/…/capture", "CAPTURED 25,00 kr", "200"]


def test_retries_refusals_and_a_dead_delivery_are_kept() -> None:
    requests = [Request(T0, "POST", f"/epayment/v1/payments/{REF}/capture", 400, 3.0)]
    dead = delivery(DeliveryState.DEAD, [(11, 500), (41, None)])
    messages = payment_messages(requests, [], [dead], REF)
    outcomes = {(m.label, m.outcome) for m in messages}
    assert ("400", Outcome.REFUSED) in outcomes
    assert ("500", Outcome.FAILED) in outcomes
    assert ("timed out", Outcome.FAILED) in outcomes
    assert ("DEAD: no more retries", Outcome.FAILED) in outcomes
    assert [m.detail for m in messages if m.label == "POST webhook authorized"] == ["attempt 1", "attempt 2"]


def test_a_webhook_after_the_capture_is_marked_late() -> None:
    events = [event(EventName.AUTHORIZED, 1), event(EventName.CAPTURED, 5)]
    messages = payment_messages([], events, [delivery(DeliveryState.DELIVERED, [(30, 200)])], REF)
    late = [m for m in messages if m.label == "POST webhook authorized"]
    assert late[0].detail == "attempt 1, after the capture" and late[0].outcome is Outcome.REFUSED


def test_the_svg_has_four_lifelines_and_one_row_per_message() -> None:
    messages = [Message(T0, Lifeline.MERCHANT, Lifeline.EPAYMENT, "POST /payments"),
                Message(T0 + timedelta(seconds=1), Lifeline.EPAYMENT, Lifeline.MERCHANT, "201", reply=True),
                Message(T0 + timedelta(seconds=2), Lifeline.EPAYMENT, Lifeline.EPAYMENT, "EXPIRED <&>")]
    root = ET.fromstring(draw(messages, title="order-1"))  # well-formed XML: labels are escaped
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert [lifeline.value in texts for lifeline in Lifeline] == [True] * 4
    assert "EXPIRED <&>" in texts
    assert len([line for line in root.iter(f"{SVG}line") if line.get("stroke-dasharray") == "6 4"]) == 1
    assert len(list(root.iter(f"{SVG}polygon"))) == 2  # two arrows; the note has no head


def test_an_empty_diagram_says_so() -> None:
    assert "Nothing recorded" in draw([])


def test_paths_are_shortened_to_what_differs() -> None:
    assert short_path(f"/epayment/v1/payments/{REF}/refund", REF) == "/payments/…/refund"
    assert short_path("/qr/v1/merchant-redirect/x", REF) == "/merchant-redirect/x"


def test_the_customer_step_follows_how_the_payment_reached_the_app() -> None:
    from kasse.console.traffic import customer_messages
    from kasse.domain.inbox import PaymentRequest, RequestSource

    assert customer_messages(None) == []
    fields = dict.fromkeys(PaymentRequest.__dataclass_fields__)
    for source, (first, second) in {RequestSource.QR: (Lifeline.MERCHANT, Lifeline.APP),
                                    RequestSource.PUSH: (Lifeline.EPAYMENT, Lifeline.APP)}.items():
        request = PaymentRequest(**{**fields, "source": source, "arrived_at": T0})  # type: ignore[arg-type]
        [step] = customer_messages(request)
        assert (step.source, step.target, step.at) == (first, second, T0)
