"""The names of the payment lifecycle: its five states, its operations and its event names."""

from __future__ import annotations

from enum import StrEnum


class PaymentState(StrEnum):
    """The state the ePayment API reports; there are exactly five (contract §4.9)."""

    CREATED = "CREATED"  # requested; the customer has not answered yet
    AUTHORIZED = "AUTHORIZED"  # customer approved in the wallet; the amount is reserved on the card
    ABORTED = "ABORTED"  # customer rejected the request in the wallet
    EXPIRED = "EXPIRED"  # nobody answered before the payment's deadline
    TERMINATED = "TERMINATED"  # the merchant cancelled before the customer answered


FINAL_STATES = frozenset({PaymentState.ABORTED, PaymentState.EXPIRED, PaymentState.TERMINATED})


class Operation(StrEnum):
    """Something that can happen to an existing payment."""

    APPROVE = "APPROVE"  # the customer approves (wallet or force approve)
    REJECT = "REJECT"  # the customer rejects in the wallet
    EXPIRE = "EXPIRE"  # the deadline passed with no answer
    CANCEL = "CANCEL"  # the merchant cancels, or releases what is left of a reservation
    CAPTURE = "CAPTURE"  # the merchant takes (part of) the reserved money
    REFUND = "REFUND"  # the merchant gives (part of) captured money back


class EventName(StrEnum):
    """An entry in the payment's event log; webhooks are named after it."""

    CREATED = "CREATED"  # the payment was requested
    AUTHORIZED = "AUTHORIZED"  # the amount was reserved
    ABORTED = "ABORTED"  # the customer said no
    EXPIRED = "EXPIRED"  # nobody answered in time
    CANCELLED = "CANCELLED"  # the merchant released the uncaptured remainder
    CAPTURED = "CAPTURED"  # money was taken
    REFUNDED = "REFUNDED"  # money was given back
    TERMINATED = "TERMINATED"  # the merchant cancelled before the customer answered

    @property
    def webhook_event(self) -> str:
        """Return the Webhooks API event type this event is delivered as (contract §8.2)."""
        return f"epayments.payment.{self.value.lower()}.v1"
