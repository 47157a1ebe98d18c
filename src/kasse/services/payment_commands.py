"""The payment use cases' commands: what a caller asks `services.payments` to do, parsed and typed by the entrypoint.

(Commands in the cosmicpython sense; the `kasse` command line lives in `kasse.cli`.)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from kasse.domain.money import Money


class UserFlow(StrEnum):
    """How the customer reaches the payment (contract §4.2.3)."""

    PUSH_MESSAGE = "PUSH_MESSAGE"  # a push request straight to a known customer's wallet
    NATIVE_REDIRECT = "NATIVE_REDIRECT"  # an app switches straight into the wallet
    WEB_REDIRECT = "WEB_REDIRECT"  # a browser goes to the landing page, which hands over to the wallet
    QR = "QR"  # a one-time QR on a customer-facing screen


class CustomerKind(StrEnum):
    """Which of the three ways of naming the customer a create request used."""

    PHONE_NUMBER = "phoneNumber"  # an MSISDN typed by the cashier
    PERSONAL_QR = "personalQr"  # the full content of the customer's scanned personal QR
    CUSTOMER_TOKEN = "customerToken"  # the token of a `user.checked-in.v1` webhook


@dataclass(frozen=True, slots=True)
class Customer:
    """The customer a payment request is addressed to."""

    kind: CustomerKind
    value: str


@dataclass(frozen=True, slots=True)
class CreatePayment:
    """Ask for a new payment; `wire` holds the request fields echoed back by GET."""

    msn: str
    reference: str
    amount: Money
    user_flow: UserFlow
    idempotency_key: str | None
    customer: Customer | None = None
    return_url: str | None = None
    expires_at: datetime | None = None
    has_receipt: bool = False
    payment_method: str = "WALLET"
    blocked_sources: bool = False
    scopes: tuple[str, ...] = ()
    wire: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ModifyPayment:
    """Capture or refund part of a payment."""

    msn: str
    reference: str
    amount: Money
    idempotency_key: str | None


@dataclass(frozen=True, slots=True)
class CancelPayment:
    """Cancel a payment, or release what is left of its reservation."""

    msn: str
    reference: str
    idempotency_key: str | None
    transaction_only: bool = False
