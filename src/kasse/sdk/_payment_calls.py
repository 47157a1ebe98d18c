"""The ePayment calls (contract §3 E1–E7) as data, and the polling schedule of `wait_for` (§4.13).

Create, capture, refund and cancel always carry an Idempotency-Key (the caller's or a fresh one), so
they are replayable: the server answers a repeat with the first outcome. Force approve is not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from kasse.sdk._call import Call, body, model, models, new_idempotency_key, nothing, segment
from kasse.sdk._money import Amount
from kasse.sdk._payment_models import (
    FINAL_STATES,
    CreatePaymentResponse,
    ModificationResponse,
    Payment,
    PaymentEvent,
    PaymentState,
)
from kasse.sdk._payment_request_models import CreatePaymentRequest, Customer
from kasse.sdk._wire import to_wire

PAYMENTS = "/epayment/v1/payments"


def _keyed(path: str, payload: object, key: str | None) -> Call[ModificationResponse]:
    return Call("POST", path, model(ModificationResponse), body=payload,
                idempotency_key=key or new_idempotency_key(), replayable=True)


def create(request: CreatePaymentRequest, key: str | None) -> Call[CreatePaymentResponse]:
    """Return the create call (E1)."""
    return Call("POST", PAYMENTS, model(CreatePaymentResponse), body=body(request),
                idempotency_key=key or new_idempotency_key(), replayable=True)


def get(reference: str) -> Call[Payment]:
    """Return the get call (E2)."""
    return Call("GET", f"{PAYMENTS}/{segment(reference)}", model(Payment), replayable=True)


def events(reference: str) -> Call[tuple[PaymentEvent, ...]]:
    """Return the event log call (E3)."""
    return Call("GET", f"{PAYMENTS}/{segment(reference)}/events", models(PaymentEvent), replayable=True)


def capture(reference: str, amount: Amount, key: str | None) -> Call[ModificationResponse]:
    """Return the capture call (E4)."""
    return _keyed(f"{PAYMENTS}/{segment(reference)}/capture", {"modificationAmount": to_wire(amount)}, key)


def refund(reference: str, amount: Amount, key: str | None) -> Call[ModificationResponse]:
    """Return the refund call (E5)."""
    return _keyed(f"{PAYMENTS}/{segment(reference)}/refund", {"modificationAmount": to_wire(amount)}, key)


def cancel(reference: str, transaction_only: bool, key: str | None) -> Call[ModificationResponse]:
    """Return the cancel call (E6); the body is always sent, as some servers refuse an empty one."""
    return _keyed(f"{PAYMENTS}/{segment(reference)}/cancel", {"cancelTransactionOnly": transaction_only}, key)


def force_approve(reference: str, customer: Customer | None, token: str | None) -> Call[None]:
    """Return the test-only force approve call (E7); approving is not idempotent, so it is never replayed."""
    payload: dict[str, object] = {}
    if customer is not None:
        payload["customer"] = to_wire(customer)
    if token is not None:
        payload["token"] = token
    return Call("POST", f"/epayment/v1/test/payments/{segment(reference)}/approve", nothing, body=payload,
                idempotency_key=new_idempotency_key())


class Poll:
    """When `wait_for` reads the payment: after `first_delay`, then every `interval`, last at the deadline."""

    def __init__(self, states: Iterable[PaymentState], clock: Callable[[], float], *, timeout: float,
                 first_delay: float, interval: float) -> None:
        if min(timeout, first_delay, interval) < 0:
            raise ValueError("timeout, first_delay and interval cannot be negative")
        self.wanted = frozenset(states)
        self._clock = clock
        self._deadline = clock() + timeout
        self._delay = first_delay
        self._interval = interval
        self._polled = False

    def next_delay(self) -> float | None:
        """Return how long to sleep before the next read, or None when time is up."""
        remaining = self._deadline - self._clock()
        if self._polled and remaining <= 0:
            return None
        delay = min(self._delay, max(0.0, remaining))
        self._polled, self._delay = True, self._interval
        return delay

    def done(self, payment: Payment) -> bool:
        """Return whether `payment` is in a wanted state, or in a final one it can never leave."""
        return payment.state in self.wanted or payment.state in FINAL_STATES
