"""Wallet test users, wallet entries, check-ins, static QR codes and receipts, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from kasse.domain.inbox import PaymentRequest
from kasse.domain.receipt import OrderCategory, StoredReceipt
from kasse.domain.static_qr import CheckIn, MerchantCallbackQr, MerchantRedirectQr
from kasse.domain.user import User
from tests.fakes.payments import InMemoryPayments


class InMemoryUsers:
    def __init__(self) -> None:
        self.rows: dict[str, User] = {}

    def get(self, msisdn: str) -> User | None:
        return self.rows.get(msisdn)

    def by_qr_token(self, token: str) -> User | None:
        return next((u for u in self.rows.values() if u.qr_token == token), None)

    def add(self, user: User) -> None:
        assert user.msisdn not in self.rows
        self.rows[user.msisdn] = user

    def update(self, user: User) -> None:
        self.rows[user.msisdn] = user

    def list(self) -> Sequence[User]:
        return list(self.rows.values())


class InMemoryWallet:
    def __init__(self, payments: InMemoryPayments) -> None:
        self.payments = payments
        self.requests: dict[tuple[str, str], PaymentRequest] = {}
        self.check_ins: dict[str, CheckIn] = {}

    def get_request(self, msn: str, reference: str) -> PaymentRequest | None:
        return self.requests.get((msn, reference))

    def add_request(self, request: PaymentRequest) -> None:
        assert (request.msn, request.reference) not in self.requests
        self.requests[(request.msn, request.reference)] = request

    def update_request(self, request: PaymentRequest) -> None:
        self.requests[(request.msn, request.reference)] = request

    def requests_of(self, msisdn: str, limit: int) -> Sequence[PaymentRequest]:
        mine = [r for r in self.requests.values() if r.msisdn == msisdn]
        return sorted(mine, key=lambda r: r.arrived_at, reverse=True)[:limit]

    def due_requests(self, now: datetime, limit: int) -> Sequence[PaymentRequest]:
        due = [r for r in self.requests.values() if r.due_at is not None and r.due_at <= now]
        return sorted(due, key=lambda r: r.due_at or now)[:limit]

    def request_for_check_in(self, token: str) -> PaymentRequest | None:
        return next((r for r in self.requests.values() if r.check_in_token == token), None)

    def add_check_in(self, check_in: CheckIn) -> None:
        self.check_ins[check_in.token] = check_in

    def get_check_in(self, token: str) -> CheckIn | None:
        return self.check_ins.get(token)

    def hold_payment(self, msn: str, reference: str, until: datetime) -> None:
        payment = self.payments.rows[(msn, reference)]
        self.payments.rows[(msn, reference)] = replace(payment, expires_at=until)

    def signature(self, msisdn: str) -> str:
        return str([(r.reference, r.answer) for r in self.requests_of(msisdn, 50)])


class InMemoryStaticQrs:
    def __init__(self) -> None:
        self.redirects: dict[tuple[str, str], MerchantRedirectQr] = {}
        self.callbacks: dict[tuple[str, str], MerchantCallbackQr] = {}

    def get_redirect(self, msn: str, qr_id: str) -> MerchantRedirectQr | None:
        return self.redirects.get((msn, qr_id))

    def list_redirects(self, msn: str) -> Sequence[MerchantRedirectQr]:
        return [q for (m, _), q in self.redirects.items() if m == msn]

    def save_redirect(self, qr: MerchantRedirectQr) -> None:
        self.redirects[(qr.msn, qr.qr_id)] = qr

    def delete_redirect(self, msn: str, qr_id: str) -> None:
        del self.redirects[(msn, qr_id)]

    def get_callback(self, msn: str, merchant_qr_id: str) -> MerchantCallbackQr | None:
        return self.callbacks.get((msn, merchant_qr_id))

    def list_callbacks(self, msn: str) -> Sequence[MerchantCallbackQr]:
        return [q for (m, _), q in self.callbacks.items() if m == msn]

    def save_callback(self, qr: MerchantCallbackQr) -> None:
        self.callbacks[(qr.msn, qr.merchant_qr_id)] = qr

    def delete_callback(self, msn: str, merchant_qr_id: str) -> None:
        del self.callbacks[(msn, merchant_qr_id)]

    def callback_owners(self, merchant_qr_id: str) -> Sequence[str]:
        return sorted(m for m, q in self.callbacks if q == merchant_qr_id)


class InMemoryReceipts:
    def __init__(self) -> None:
        self.receipts: dict[tuple[str, str, str], StoredReceipt] = {}
        self.categories: dict[tuple[str, str, str], OrderCategory] = {}

    def get_receipt(self, msn: str, payment_type: str, order_id: str) -> StoredReceipt | None:
        return self.receipts.get((msn, payment_type, order_id))

    def add_receipt(self, msn: str, payment_type: str, order_id: str, receipt: StoredReceipt, at: datetime) -> None:
        self.receipts[(msn, payment_type, order_id)] = receipt

    def get_category(self, msn: str, payment_type: str, order_id: str) -> OrderCategory | None:
        return self.categories.get((msn, payment_type, order_id))

    def put_category(self, msn: str, payment_type: str, order_id: str, category: OrderCategory,
                     at: datetime) -> None:
        self.categories[(msn, payment_type, order_id)] = category
