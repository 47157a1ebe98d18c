"""What the Webhooks API (contract §8) takes and answers, and what a delivery carries (§8.2, §5.4a)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from kasse.sdk._money import Amount
from kasse.sdk._payment_models import PaymentEventName, ShippingDetails, UserDetails


class WebhookEventType(StrEnum):
    """An event a webhook registration can subscribe to (contract §8.2)."""

    PAYMENT_CREATED = "epayments.payment.created.v1"  # a payment was created
    PAYMENT_AUTHORIZED = "epayments.payment.authorized.v1"  # the customer approved; capture now
    PAYMENT_ABORTED = "epayments.payment.aborted.v1"  # the customer rejected, or the card was declined
    PAYMENT_EXPIRED = "epayments.payment.expired.v1"  # nobody answered in time
    PAYMENT_TERMINATED = "epayments.payment.terminated.v1"  # the merchant cancelled before approval
    PAYMENT_CAPTURED = "epayments.payment.captured.v1"  # money was captured
    PAYMENT_REFUNDED = "epayments.payment.refunded.v1"  # money was refunded
    PAYMENT_CANCELLED = "epayments.payment.cancelled.v1"  # the uncaptured rest was released
    USER_CHECKED_IN = "user.checked-in.v1"  # a customer scanned a merchant callback QR code


@dataclass(frozen=True, slots=True, kw_only=True)
class RegisteredWebhook:
    """A new registration: its id and the secret that signs its deliveries (shown only now)."""

    id: str
    secret: str = field(repr=False)  # kept out of logs


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """A registration as listed (without its secret)."""

    id: str
    url: str
    events: Sequence[str]


@dataclass(frozen=True, slots=True, kw_only=True)
class WebhookList:
    webhooks: Sequence[Webhook]


@dataclass(frozen=True, slots=True, kw_only=True)
class PaymentWebhookEvent:
    """An `epayments.payment.*.v1` delivery: one event of one payment."""

    msn: str
    reference: str
    psp_reference: str  # this event's own
    name: PaymentEventName
    amount: Amount  # this operation's amount
    timestamp: datetime
    success: bool
    idempotency_key: str | None = None
    shipping_details: ShippingDetails | None = None
    user_details: UserDetails | None = None
    sub: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckedInEvent:
    """A `user.checked-in.v1` delivery: a customer scanned a merchant callback QR code.

    Create a payment with `Customer(customer_token=event.customer_token)` within 15 minutes.
    """

    msn: str
    merchant_qr_id: str
    customer_token: str
    initiated_at: datetime


WebhookEvent = PaymentWebhookEvent | CheckedInEvent
