"""What the ePayment API answers (contract §4.3–§4.9): payments, their aggregates and their events.

A payment has five states; capture, refund and cancel after approval change only the aggregate.
A sale is paid when a capture's `aggregate.captured_amount` equals the sale total.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kasse.sdk._money import Amount
from kasse.sdk._payment_request_models import PaymentMethodType


class PaymentState(StrEnum):
    """Where a payment stands; every state but CREATED is final."""

    CREATED = "CREATED"  # waiting for the customer to approve, reject or let it expire
    AUTHORIZED = "AUTHORIZED"  # approved; the money is reserved and can be captured, refunded, cancelled
    ABORTED = "ABORTED"  # the customer rejected it or the card was declined
    EXPIRED = "EXPIRED"  # nobody answered in time
    TERMINATED = "TERMINATED"  # the merchant cancelled it before the customer approved


FINAL_STATES = frozenset(PaymentState) - {PaymentState.CREATED}


class PaymentEventName(StrEnum):
    """What one entry of a payment's event log (and one webhook) reports."""

    CREATED = "CREATED"  # the payment was created
    AUTHORIZED = "AUTHORIZED"  # the customer approved (or, with success false, the approval failed)
    ABORTED = "ABORTED"  # the customer rejected it
    EXPIRED = "EXPIRED"  # it ran out of time
    TERMINATED = "TERMINATED"  # the merchant cancelled it before approval
    CAPTURED = "CAPTURED"  # money was captured; the event's amount is this capture's
    REFUNDED = "REFUNDED"  # money was refunded; the event's amount is this refund's
    CANCELLED = "CANCELLED"  # the uncaptured rest of the reservation was released


@dataclass(frozen=True, slots=True, kw_only=True)
class Aggregate:
    """Running totals of a payment; `captured + cancelled <= authorized` and `refunded <= captured`."""

    authorized_amount: Amount
    cancelled_amount: Amount
    captured_amount: Amount
    refunded_amount: Amount


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentMethodInfo:
    """The method the customer paid with; `card_bin` when known."""

    type: PaymentMethodType
    card_bin: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Profile:
    """The customer's profile id (`sub`), when profile data was requested and shared."""

    sub: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """A postal address."""

    address_line1: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    post_code: str
    address_line2: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ShippingDetails:
    """Express: where and how the order is shipped."""

    address: Address
    shipping_cost: int
    shipping_option_id: str
    shipping_option_name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserDetails:
    """Express or profile sharing: who the customer is."""

    email: str
    first_name: str
    last_name: str
    mobile_number: str
    date_of_birth: str | None = None
    addresses: Sequence[Address] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CreatePaymentResponse:
    """The answer to a create: the reference and, except for push payments, where to send the customer."""

    reference: str
    redirect_url: str | None = None  # the QR image for UserFlow.QR, the landing page for WEB_REDIRECT


@dataclass(frozen=True, slots=True, kw_only=True)
class Payment:
    """A payment as `GET /epayment/v1/payments/{reference}` shows it."""

    reference: str
    state: PaymentState
    amount: Amount
    aggregate: Aggregate
    payment_method: PaymentMethodInfo
    profile: Profile
    psp_reference: str  # of the CREATED event
    redirect_url: str | None = None
    metadata: Mapping[str, str] | None = None
    shipping_details: ShippingDetails | None = None
    user_details: UserDetails | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ModificationResponse:
    """The answer to a capture, refund or cancel: the payment's state and totals after it."""

    reference: str
    state: PaymentState
    amount: Amount
    aggregate: Aggregate
    psp_reference: str  # of the CREATED event


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentEvent:
    """One entry of a payment's event log, oldest first; check `success`."""

    reference: str
    psp_reference: str  # this event's own
    name: PaymentEventName
    amount: Amount  # this operation's amount, not a running total
    timestamp: datetime
    success: bool
    idempotency_key: str | None = None
