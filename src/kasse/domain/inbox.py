"""A payment request in a user's wallet: how it got there, what is scheduled, and what the user did.

A payment belongs to at most one wallet: the customer it was pushed to, or the first user who opened
its one-time QR or landing page. Every refusal the wallet gives a person is a `WalletError` whose
reason is one of `WalletRefusal`, each with the sentence the wallet shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from kasse.domain.user import WalletAction


class RequestSource(StrEnum):
    """How a payment reached the wallet."""

    PUSH = "PUSH"  # PUSH_MESSAGE to a phone number or a scanned personal QR
    CHECK_IN = "CHECK_IN"  # pushed with the customerToken of a check-in at a callback QR
    QR = "QR"  # the user scanned the one-time payment QR
    LANDING = "LANDING"  # the user typed the phone number on the landing page


class Answer(StrEnum):
    """What became of a request the user answered."""

    APPROVED = "APPROVED"  # approved; the payment is AUTHORIZED
    REJECTED = "REJECTED"  # rejected; the payment is ABORTED
    DECLINED = "DECLINED"  # approved, but the card was declined (a magic amount); the payment is ABORTED
    PROCESSING = "PROCESSING"  # approved, result unknown for an hour (magic amount 201)


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A payment as it sits in one user's wallet."""

    msn: str
    reference: str
    msisdn: str
    source: RequestSource
    arrived_at: datetime
    check_in_token: str | None = None
    due_action: WalletAction | None = None
    due_at: datetime | None = None
    answer: Answer | None = None
    note: str | None = None


class WalletRefusal(StrEnum):
    """Why the wallet will not do what the user (or a test) asked."""

    UNKNOWN_USER = "UNKNOWN_USER"
    UNKNOWN_PAYMENT = "UNKNOWN_PAYMENT"
    NOT_YOURS = "NOT_YOURS"
    ALREADY_ANSWERED = "ALREADY_ANSWERED"
    NOT_WAITING = "NOT_WAITING"
    TOO_YOUNG = "TOO_YOUNG"
    WRONG_MARKET = "WRONG_MARKET"
    SCA_REQUIRED = "SCA_REQUIRED"
    UNKNOWN_QR = "UNKNOWN_QR"
    QR_NO_LONGER_VALID = "QR_NO_LONGER_VALID"
    PERSONAL_QR = "PERSONAL_QR"
    UNREADABLE_IMAGE = "UNREADABLE_IMAGE"


MESSAGES: dict[WalletRefusal, str] = {
    WalletRefusal.UNKNOWN_USER: "There is no wallet user with that phone number.",
    WalletRefusal.UNKNOWN_PAYMENT: "This payment does not exist.",
    WalletRefusal.NOT_YOURS: "This payment is being paid by someone else.",
    WalletRefusal.ALREADY_ANSWERED: "You have already answered this payment.",
    WalletRefusal.NOT_WAITING: "This payment is no longer waiting for an answer.",
    WalletRefusal.TOO_YOUNG: "You are too young for this purchase.",
    WalletRefusal.WRONG_MARKET: "You cannot pay this shop from your country's wallet.",
    WalletRefusal.SCA_REQUIRED: "Your bank asks you to confirm this payment with BankID.",
    WalletRefusal.UNKNOWN_QR: "This is not a QR code kasse knows.",
    WalletRefusal.QR_NO_LONGER_VALID: "This QR code is no longer valid.",
    WalletRefusal.PERSONAL_QR: "This is someone's personal QR code: show it to a cashier instead.",
    WalletRefusal.UNREADABLE_IMAGE: "No QR code could be read from that image.",
}


class WalletError(Exception):
    """A wallet refusal, with the sentence to show."""

    def __init__(self, refusal: WalletRefusal, detail: str | None = None) -> None:
        self.refusal = refusal
        self.detail = detail or MESSAGES[refusal]
        super().__init__(self.detail)
