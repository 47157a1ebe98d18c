"""The ports of the wallet, static QR and receipt use cases; `UnitOfWork` in `ports` exposes them.

Kept apart from `ports` so the payment core's ports stay small; the SQL adapters live in
`adapters/sql/wallet_repositories.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from kasse.domain.inbox import PaymentRequest
from kasse.domain.receipt import OrderCategory, StoredReceipt
from kasse.domain.static_qr import CheckIn, MerchantCallbackQr, MerchantRedirectQr
from kasse.domain.user import User


class UserRepository(Protocol):
    """Wallet test users by phone number."""

    def get(self, msisdn: str) -> User | None:
        """Return the user, or None."""
        ...

    def by_qr_token(self, token: str) -> User | None:
        """Return the user whose tokenized personal QR this is, or None."""
        ...

    def add(self, user: User) -> None:
        """Store a new user."""
        ...

    def update(self, user: User) -> None:
        """Store a changed user (its behaviour)."""
        ...

    def list(self) -> Sequence[User]:
        """Return every user, oldest first."""
        ...


class WalletRepository(Protocol):
    """Payment requests in wallets, and check-ins at callback QRs."""

    def get_request(self, msn: str, reference: str) -> PaymentRequest | None:
        """Return the wallet entry of a payment, or None if no wallet has it."""
        ...

    def add_request(self, request: PaymentRequest) -> None:
        """Put a payment into a wallet."""
        ...

    def update_request(self, request: PaymentRequest) -> None:
        """Store what happened to a wallet entry."""
        ...

    def requests_of(self, msisdn: str, limit: int) -> Sequence[PaymentRequest]:
        """Return a user's entries, newest first."""
        ...

    def due_requests(self, now: datetime, limit: int) -> Sequence[PaymentRequest]:
        """Return entries whose scheduled action is due and not done, oldest first."""
        ...

    def request_for_check_in(self, token: str) -> PaymentRequest | None:
        """Return the first payment pushed with a check-in's customerToken, or None."""
        ...

    def add_check_in(self, check_in: CheckIn) -> None:
        """Store a check-in."""
        ...

    def get_check_in(self, token: str) -> CheckIn | None:
        """Return the check-in of a customerToken, or None."""
        ...

    def hold_payment(self, msn: str, reference: str, until: datetime) -> None:
        """Move an unanswered payment's deadline (magic amount 201)."""
        ...

    def signature(self, msisdn: str) -> str:
        """Return a short value that changes whenever anything in the user's wallet changes."""
        ...


class StaticQrRepository(Protocol):
    """Merchant-redirect and merchant-callback QR codes per sales unit."""

    def get_redirect(self, msn: str, qr_id: str) -> MerchantRedirectQr | None:
        """Return a redirect QR, or None."""
        ...

    def list_redirects(self, msn: str) -> Sequence[MerchantRedirectQr]:
        """Return a sales unit's redirect QRs."""
        ...

    def save_redirect(self, qr: MerchantRedirectQr) -> None:
        """Insert or replace a redirect QR."""
        ...

    def delete_redirect(self, msn: str, qr_id: str) -> None:
        """Delete a redirect QR."""
        ...

    def get_callback(self, msn: str, merchant_qr_id: str) -> MerchantCallbackQr | None:
        """Return a callback QR, or None."""
        ...

    def list_callbacks(self, msn: str) -> Sequence[MerchantCallbackQr]:
        """Return a sales unit's callback QRs."""
        ...

    def save_callback(self, qr: MerchantCallbackQr) -> None:
        """Insert or replace a callback QR."""
        ...

    def delete_callback(self, msn: str, merchant_qr_id: str) -> None:
        """Delete a callback QR."""
        ...

    def callback_owners(self, merchant_qr_id: str) -> Sequence[str]:
        """Return the MSNs that have a callback QR with this id (a MobilePay beacon has at most one)."""
        ...


class ReceiptRepository(Protocol):
    """Receipts and category links of orders (Order Management), per sales unit and payment type."""

    def get_receipt(self, msn: str, payment_type: str, order_id: str) -> StoredReceipt | None:
        """Return the stored receipt, or None."""
        ...

    def add_receipt(self, msn: str, payment_type: str, order_id: str, receipt: StoredReceipt, at: datetime) -> None:
        """Store a receipt."""
        ...

    def get_category(self, msn: str, payment_type: str, order_id: str) -> OrderCategory | None:
        """Return the latest category link, or None."""
        ...

    def put_category(self, msn: str, payment_type: str, order_id: str, category: OrderCategory,
                     at: datetime) -> None:
        """Insert or replace the category link."""
        ...
