"""A payment and the pure operations on it; every operation returns a new payment and its event.

Invariants after every operation (contract §4.9): `captured + cancelled <= authorized` once
authorized, `refunded <= captured`, `authorized` is 0 or the full amount, and before
authorization only `cancelled` may be non-zero (a terminated payment releases the full amount).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.events import PaymentEvent
from kasse.domain.money import Money
from kasse.domain.payment_state import EventName, Operation, PaymentState
from kasse.domain.transitions import lookup

# contract §4.12: ten minutes for the customer to act unless `expiresAt` says otherwise
DEFAULT_LIFETIME = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Payment:
    """One payment of one sales unit, with the running totals the API calls its aggregate."""

    msn: str
    reference: str
    psp_reference: str
    amount: Money
    state: PaymentState
    created_at: datetime
    expires_at: datetime
    authorized: int = 0
    captured: int = 0
    refunded: int = 0
    cancelled: int = 0
    version: int = 0
    idempotency_key: str | None = None
    details: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def remaining(self) -> int:
        """Return what is reserved and neither captured nor released."""
        return self.authorized - self.captured - self.cancelled

    @property
    def refundable(self) -> int:
        """Return what is captured and not yet refunded."""
        return self.captured - self.refunded

    def aggregate_wire(self) -> dict[str, object]:
        """Return the contract's `aggregate` object."""
        cur = self.amount.currency.value
        return {
            "authorizedAmount": {"currency": cur, "value": self.authorized},
            "cancelledAmount": {"currency": cur, "value": self.cancelled},
            "capturedAmount": {"currency": cur, "value": self.captured},
            "refundedAmount": {"currency": cur, "value": self.refunded},
        }


def is_expired(payment: Payment, now: datetime) -> bool:
    """Tell whether an unanswered payment has passed its deadline."""
    return payment.state is PaymentState.CREATED and now >= payment.expires_at


def _same_currency(payment: Payment, amount: Money) -> None:
    if amount.currency != payment.amount.currency or amount.value <= 0:
        raise DomainError(ErrorCode.INVALID_AMOUNT, "The amount must be positive and in the payment's currency")


def check_capture(payment: Payment, amount: Money, *, partial_allowed: bool = True) -> None:
    """Refuse a capture the aggregate cannot carry.

    Raises:
        DomainError: 4040, 6070, 6170, 6090 or 6140.
    """
    _same_currency(payment, amount)
    if payment.remaining == 0:
        raise DomainError(ErrorCode.CANNOT_CAPTURE_CANCELLED if payment.cancelled else ErrorCode.ALREADY_CAPTURED)
    if amount.value > payment.remaining:
        raise DomainError(ErrorCode.CAPTURE_AMOUNT_TOO_HIGH)
    if not partial_allowed and amount.value != payment.authorized:
        raise DomainError(ErrorCode.MUST_CAPTURE_FULL_AMOUNT)


def check_refund(payment: Payment, amount: Money) -> None:
    """Refuse a refund of more than was captured and not yet refunded.

    Raises:
        DomainError: 4040, 6180 or 6150.
    """
    _same_currency(payment, amount)
    if payment.captured and payment.refundable == 0:
        raise DomainError(ErrorCode.ALREADY_REFUNDED)
    if amount.value > payment.refundable:
        raise DomainError(ErrorCode.NOT_ENOUGH_REFUNDABLE)


def check_cancel(payment: Payment, *, transaction_only: bool = False) -> None:
    """Refuse a cancel that would release nothing or break a `cancelTransactionOnly` promise.

    Raises:
        DomainError: 6060, 6040 or 6190.
    """
    if payment.state is not PaymentState.AUTHORIZED:
        return
    if transaction_only:
        raise DomainError(ErrorCode.CANNOT_CANCEL_AUTHORIZED)
    if payment.remaining == 0:
        fully_captured = payment.captured == payment.authorized
        raise DomainError(ErrorCode.CANNOT_CANCEL_CAPTURED if fully_captured else ErrorCode.CANNOT_BE_CANCELLED)


def check_approve(payment: Payment, now: datetime) -> None:
    """Refuse an approval that comes after the deadline, even before the sweeper has run.

    Raises:
        DomainError: 10010.
    """
    if is_expired(payment, now):
        raise DomainError(ErrorCode.APPROVE_FAILED, "The payment has expired")


# what each event does to the aggregate with the event's own amount: (field, adds?) or nothing
_EFFECTS: dict[EventName, tuple[str, bool] | None] = {
    EventName.AUTHORIZED: ("authorized", False),
    EventName.CAPTURED: ("captured", True),
    EventName.REFUNDED: ("refunded", True),
    EventName.CANCELLED: ("cancelled", True),
    EventName.TERMINATED: ("cancelled", False),  # contract §4.7: a terminated payment releases it all
    EventName.ABORTED: None,
    EventName.EXPIRED: None,
}


def _aggregate_after(payment: Payment, event: EventName, value: int) -> dict[str, int]:
    totals = {
        "authorized": payment.authorized,
        "captured": payment.captured,
        "refunded": payment.refunded,
        "cancelled": payment.cancelled,
    }
    effect = _EFFECTS[event]
    if effect is not None:
        name, adds = effect
        totals[name] = totals[name] + value if adds else value
    return totals


def _event_amount(payment: Payment, op: Operation, amount: Money | None) -> Money:
    if op in (Operation.CAPTURE, Operation.REFUND):
        assert amount is not None
        return amount
    if op is Operation.CANCEL and payment.state is PaymentState.AUTHORIZED:
        return Money(payment.remaining, payment.amount.currency)
    return payment.amount


def apply(
    payment: Payment,
    op: Operation,
    *,
    at: datetime,
    psp_reference: str,
    amount: Money | None = None,
    idempotency_key: str | None = None,
) -> tuple[Payment, PaymentEvent]:
    """Apply one operation the table allows; guards must have run already.

    Raises:
        DomainError: the table refuses `op` in the payment's state.
    """
    step = lookup(payment.state, op)
    if isinstance(step, ErrorCode):
        raise DomainError(step, f"{step.title} (payment is {payment.state.value})")
    moved = _event_amount(payment, op, amount)
    totals = _aggregate_after(payment, step.event, moved.value)
    new = replace(
        payment,
        state=step.to,
        version=payment.version + 1,
        authorized=totals["authorized"],
        captured=totals["captured"],
        refunded=totals["refunded"],
        cancelled=totals["cancelled"],
    )
    event = PaymentEvent(payment.msn, payment.reference, psp_reference, step.event, moved, at, idempotency_key)
    return new, event


def start(
    *,
    msn: str,
    reference: str,
    amount: Money,
    at: datetime,
    psp_reference: str,
    expires_at: datetime | None,
    idempotency_key: str | None,
    details: dict[str, Any],
) -> tuple[Payment, PaymentEvent]:
    """Create a payment in CREATED with its CREATED event."""
    payment = Payment(
        msn=msn,
        reference=reference,
        psp_reference=psp_reference,
        amount=amount,
        state=PaymentState.CREATED,
        created_at=at,
        expires_at=expires_at or at + DEFAULT_LIFETIME,
        idempotency_key=idempotency_key,
        details=details,
    )
    event = PaymentEvent(msn, reference, psp_reference, EventName.CREATED, amount, at, idempotency_key)
    return payment, event
