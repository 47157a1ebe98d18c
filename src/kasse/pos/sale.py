"""A POS sale and its lifecycle, as a table: what the platform reports moves the sale, nothing else does.

A sale is `PAID` only when the capture response's captured total equals the sale total; a capture that
comes back with anything else is a `MISMATCH` for a person to look at, never paid.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from kasse.pos.cart import kr


class SaleStatus(StrEnum):
    """Where a sale stands, as the till shows it."""

    PENDING = "pending"  # payment requested; waiting for the customer's answer
    PAID = "paid"  # captured in full: the capture response said so
    MISMATCH = "mismatch"  # captured, but not the sale total: a person must check it
    FAILED = "failed"  # rejected, declined, expired, or the request never reached a customer
    CANCELLED = "cancelled"  # the cashier (or the merchant) stopped it before approval


class Outcome(StrEnum):
    """What the POS learned about a pending sale's payment."""

    CAPTURED_IN_FULL = "captured_in_full"
    CAPTURED_SHORT = "captured_short"
    REJECTED = "rejected"
    DECLINED = "declined"
    EXPIRED = "expired"
    TERMINATED = "terminated"
    REFUSED = "refused"  # the create request itself was refused (unknown customer, bad QR ...)


TRANSITIONS: dict[tuple[SaleStatus, Outcome], SaleStatus] = {
    (SaleStatus.PENDING, Outcome.CAPTURED_IN_FULL): SaleStatus.PAID,
    (SaleStatus.PENDING, Outcome.CAPTURED_SHORT): SaleStatus.MISMATCH,
    (SaleStatus.PENDING, Outcome.REJECTED): SaleStatus.FAILED,
    (SaleStatus.PENDING, Outcome.DECLINED): SaleStatus.FAILED,
    (SaleStatus.PENDING, Outcome.EXPIRED): SaleStatus.FAILED,
    (SaleStatus.PENDING, Outcome.REFUSED): SaleStatus.FAILED,
    (SaleStatus.PENDING, Outcome.TERMINATED): SaleStatus.CANCELLED,
}

MESSAGES: dict[Outcome, str] = {
    Outcome.CAPTURED_IN_FULL: "Paid. Thank you!",
    Outcome.CAPTURED_SHORT: "Captured amount does not match the sale total. Not paid: check this sale.",
    Outcome.REJECTED: "The customer rejected the payment in the app.",
    Outcome.DECLINED: "The payment was declined by the card issuer. Ask for another card or payment method.",
    Outcome.EXPIRED: "The customer did not answer in time; the payment request expired.",
    Outcome.TERMINATED: "The payment was cancelled.",
    Outcome.REFUSED: "The payment request was refused.",
}


# a request nobody answers expires 10 minutes after it was made; one that expires an hour or more later had its
# deadline moved by an answer whose result stayed unknown (contract §9, amount 2,01: approved, then no result for an
# hour). Not less: a test that moves kasse's clock 11 minutes ahead expires an unanswered request 11 minutes late.
ANSWER_WINDOW = timedelta(hours=1)
ANSWERED_BUT_UNKNOWN = ("The customer answered in the app, but the payment's result stayed unknown and the request "
                        "expired. Nothing was charged: ask for another payment.")
CAPTURE_RETRYING = "Approved, capturing (retrying)…"


def expiry_message(created_at: datetime | None, expired_at: datetime | None) -> str:
    """Why a request expired, from its CREATED and EXPIRED events: unanswered, or answered with no result."""
    if created_at is not None and expired_at is not None and expired_at - created_at > ANSWER_WINDOW:
        return ANSWERED_BUT_UNKNOWN
    return MESSAGES[Outcome.EXPIRED]


class SaleTransitionError(Exception):
    """The outcome does not apply to a sale in this status (it was settled already)."""


RESERVATION = "reservation"  # the id of a vending sale's one order line until the customer picks an item


@dataclass(frozen=True, slots=True, kw_only=True)
class Sale:
    """One attempt to take payment for a cart; `lines` is the receipt's order lines as stored."""

    reference: str
    terminal: str
    receipt_number: int
    method: str  # qr, scan, phone, vending, shop
    total: int
    currency: str = "NOK"
    lines: list[dict[str, object]] = field(default_factory=list)
    status: SaleStatus = SaleStatus.PENDING
    message: str = "Waiting for the customer…"
    customer: str = ""
    qr_url: str | None = None
    captured: int = 0
    refunded: int = 0
    created_at: float = 0.0
    next_poll_at: float | None = None
    reserved: int = 0  # vending: the maximum price reserved; the rest is released after the capture
    awaiting_choice: bool = False  # vending: approved, but the customer has not picked the item yet

    @property
    def unchosen(self) -> bool:
        """Vending: the sale still stands for the reservation alone; no item is picked yet."""
        return self.reserved > 0 and [line.get("id") for line in self.lines] == [RESERVATION]

    @property
    def settled(self) -> bool:
        return self.status is not SaleStatus.PENDING

    def settle(self, outcome: Outcome, *, captured: int = 0, message: str | None = None) -> Sale:
        """Return the sale after `outcome`, or raise if the table has no such move."""
        try:
            status = TRANSITIONS[(self.status, outcome)]
        except KeyError:
            raise SaleTransitionError(f"{self.reference} is {self.status}, cannot take {outcome}") from None
        return replace(self, status=status, captured=captured, message=message or MESSAGES[outcome],
                       next_poll_at=None)


def can_refund(sale: Sale, amount: int) -> bool:
    """Whether `amount` may be refunded: a positive part of what was captured and not yet refunded."""
    return sale.status in (SaleStatus.PAID, SaleStatus.MISMATCH) and 0 < amount <= sale.captured - sale.refunded


STATUS_LABELS: dict[SaleStatus, str] = {
    SaleStatus.PENDING: "Waiting for customer",
    SaleStatus.PAID: "Paid",
    SaleStatus.MISMATCH: "Amount mismatch",
    SaleStatus.FAILED: "Not paid",
    SaleStatus.CANCELLED: "Cancelled",
}


def is_fully_refunded(sale: Sale) -> bool:
    return sale.captured > 0 and sale.refunded >= sale.captured


def status_label(sale: Sale) -> str:
    """What the sales list and the receipt call the sale: refunds count, so a paid-back sale is not "Paid"."""
    if is_fully_refunded(sale):
        return "Refunded"
    if sale.refunded:
        return f"{STATUS_LABELS[sale.status]}, {kr(sale.refunded)} refunded"
    if sale.status is SaleStatus.PENDING and sale.message == CAPTURE_RETRYING:
        return "Approved"  # the customer is done; the till is still getting the money
    return STATUS_LABELS[sale.status]


def status_class(sale: Sale) -> str:
    """The badge's colour: a fully refunded sale is neither paid nor failed."""
    return "refunded" if is_fully_refunded(sale) else sale.status.value
