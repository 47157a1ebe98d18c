"""Repositories of the wallet, static QR codes and receipts, over the same DB-API connection as the rest."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

import orjson

from kasse.adapters.sql import statements, tables
from kasse.adapters.sql.connection import Connection
from kasse.adapters.sql.rows import from_us, to_us
from kasse.domain.inbox import Answer, PaymentRequest, RequestSource
from kasse.domain.money import Market
from kasse.domain.receipt import OrderCategory, StoredReceipt
from kasse.domain.static_qr import CheckIn, MerchantCallbackQr, MerchantRedirectQr
from kasse.domain.user import Behaviour, PaymentCard, User, WalletAction
from kasse.services.topics import WALLET

USER_COLUMNS = statements.columns(tables.wallet_users)
REQUEST_COLUMNS = statements.columns(tables.wallet_requests)
CHECK_IN_COLUMNS = statements.columns(tables.wallet_check_ins)


def _opt_us(moment: datetime | None) -> int | None:
    return None if moment is None else to_us(moment)


def _opt_dt(us: int | None) -> datetime | None:
    return None if us is None else from_us(us)


def user_from_row(row: Any) -> User:
    return User(
        msisdn=row[0], name=row[1], birth_date=date.fromisoformat(row[2]), market=Market(row[3]),
        card=PaymentCard(row[4], row[5], date.fromisoformat(row[6])), qr_token=row[7],
        qr_issued_at=from_us(row[8]), behaviour=Behaviour(row[9]), behaviour_delay=row[10],
        created_at=from_us(row[11]),
    )


def user_to_row(u: User) -> tuple[Any, ...]:
    return (
        u.msisdn, u.name, u.birth_date.isoformat(), u.market.value, u.card.brand, u.card.last4,
        u.card.expires.isoformat(), u.qr_token, to_us(u.qr_issued_at), u.behaviour.value, u.behaviour_delay,
        to_us(u.created_at),
    )


def request_from_row(row: Any) -> PaymentRequest:
    return PaymentRequest(
        msn=row[0], reference=row[1], msisdn=row[2], source=RequestSource(row[3]), arrived_at=from_us(row[4]),
        check_in_token=row[5], due_action=WalletAction(row[6]) if row[6] else None, due_at=_opt_dt(row[7]),
        answer=Answer(row[8]) if row[8] else None, note=row[9],
    )


def request_to_row(r: PaymentRequest) -> tuple[Any, ...]:
    return (
        r.msn, r.reference, r.msisdn, r.source.value, to_us(r.arrived_at), r.check_in_token,
        r.due_action.value if r.due_action else None, _opt_us(r.due_at), r.answer.value if r.answer else None,
        r.note,
    )


class SqlUsers:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, msisdn: str) -> User | None:
        row = self.conn.execute(f"SELECT {USER_COLUMNS} FROM wallet_users WHERE msisdn = ?", (msisdn,)).fetchone()
        return user_from_row(row) if row else None

    def by_qr_token(self, token: str) -> User | None:
        row = self.conn.execute(f"SELECT {USER_COLUMNS} FROM wallet_users WHERE qr_token = ?", (token,)).fetchone()
        return user_from_row(row) if row else None

    def add(self, user: User) -> None:
        self.conn.execute(statements.insert(tables.wallet_users), user_to_row(user))

    def update(self, user: User) -> None:
        self.conn.execute("UPDATE wallet_users SET behaviour = ?, behaviour_delay = ? WHERE msisdn = ?",
                          (user.behaviour.value, user.behaviour_delay, user.msisdn))

    def list(self) -> Sequence[User]:
        rows = self.conn.execute(f"SELECT {USER_COLUMNS} FROM wallet_users ORDER BY created_at, msisdn").fetchall()
        return [user_from_row(r) for r in rows]


class SqlWallet:
    def __init__(self, conn: Connection, topics: set[str]) -> None:
        self.conn = conn
        self.topics = topics

    def get_request(self, msn: str, reference: str) -> PaymentRequest | None:
        row = self.conn.execute(
            f"SELECT {REQUEST_COLUMNS} FROM wallet_requests WHERE msn = ? AND reference = ?", (msn, reference)
        ).fetchone()
        return request_from_row(row) if row else None

    def add_request(self, request: PaymentRequest) -> None:
        self.conn.execute(statements.insert(tables.wallet_requests), request_to_row(request))
        self.topics.add(WALLET)

    def update_request(self, request: PaymentRequest) -> None:
        self.conn.execute(
            "UPDATE wallet_requests SET due_action = ?, due_at = ?, answer = ?, note = ?"
            " WHERE msn = ? AND reference = ?",
            (request.due_action.value if request.due_action else None, _opt_us(request.due_at),
             request.answer.value if request.answer else None, request.note, request.msn, request.reference),
        )
        self.topics.add(WALLET)

    def requests_of(self, msisdn: str, limit: int) -> Sequence[PaymentRequest]:
        rows = self.conn.execute(
            f"SELECT {REQUEST_COLUMNS} FROM wallet_requests WHERE msisdn = ? ORDER BY arrived_at DESC LIMIT ?",
            (msisdn, limit),
        ).fetchall()
        return [request_from_row(r) for r in rows]

    def due_requests(self, now: datetime, limit: int) -> Sequence[PaymentRequest]:
        rows = self.conn.execute(
            f"SELECT {REQUEST_COLUMNS} FROM wallet_requests WHERE due_at IS NOT NULL AND due_at <= ?"
            " ORDER BY due_at LIMIT ?",
            (to_us(now), limit),
        ).fetchall()
        return [request_from_row(r) for r in rows]

    def request_for_check_in(self, token: str) -> PaymentRequest | None:
        row = self.conn.execute(
            f"SELECT {REQUEST_COLUMNS} FROM wallet_requests WHERE check_in_token = ? ORDER BY arrived_at LIMIT 1",
            (token,),
        ).fetchone()
        return request_from_row(row) if row else None

    def add_check_in(self, check_in: CheckIn) -> None:
        c = check_in
        self.conn.execute(
            statements.insert(tables.wallet_check_ins),
            (c.token, c.msisdn, c.msn, c.merchant_qr_id, c.location_description, to_us(c.created_at),
             to_us(c.expires_at)),
        )

    def get_check_in(self, token: str) -> CheckIn | None:
        row = self.conn.execute(f"SELECT {CHECK_IN_COLUMNS} FROM wallet_check_ins WHERE token = ?",
                                (token,)).fetchone()
        if row is None:
            return None
        return CheckIn(row[0], row[1], row[2], row[3], row[4], from_us(row[5]), from_us(row[6]))

    def hold_payment(self, msn: str, reference: str, until: datetime) -> None:
        self.conn.execute(
            "UPDATE payments SET expires_at = ? WHERE msn = ? AND reference = ? AND state = 'CREATED'",
            (to_us(until), msn, reference),
        )

    def signature(self, msisdn: str) -> str:
        # the user's newest entries with their payments' versions: any arrival, answer or state change moves it
        rows = self.conn.execute(
            "SELECT r.msn, r.reference, r.answer, p.state, p.version FROM wallet_requests r"
            " JOIN payments p ON p.msn = r.msn AND p.reference = r.reference"
            " WHERE r.msisdn = ? ORDER BY r.arrived_at DESC LIMIT 50",
            (msisdn,),
        ).fetchall()
        return hashlib.sha256(orjson.dumps([list(r) for r in rows])).hexdigest()[:16]


class SqlStaticQrs:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    @staticmethod
    def _redirect(row: Any) -> MerchantRedirectQr:
        return MerchantRedirectQr(row[0], row[1], row[2], from_us(row[3]), _opt_dt(row[4]))

    def get_redirect(self, msn: str, qr_id: str) -> MerchantRedirectQr | None:
        row = self.conn.execute(
            "SELECT msn, qr_id, redirect_url, created_at, expires_at FROM qr_redirects WHERE msn = ? AND qr_id = ?",
            (msn, qr_id),
        ).fetchone()
        return self._redirect(row) if row else None

    def list_redirects(self, msn: str) -> Sequence[MerchantRedirectQr]:
        rows = self.conn.execute(
            "SELECT msn, qr_id, redirect_url, created_at, expires_at FROM qr_redirects WHERE msn = ?"
            " ORDER BY created_at, qr_id",
            (msn,),
        ).fetchall()
        return [self._redirect(r) for r in rows]

    def save_redirect(self, qr: MerchantRedirectQr) -> None:
        self.conn.execute("DELETE FROM qr_redirects WHERE msn = ? AND qr_id = ?", (qr.msn, qr.qr_id))
        self.conn.execute(
            statements.insert(tables.qr_redirects),
            (qr.msn, qr.qr_id, qr.redirect_url, to_us(qr.created_at), _opt_us(qr.expires_at)),
        )

    def delete_redirect(self, msn: str, qr_id: str) -> None:
        self.conn.execute("DELETE FROM qr_redirects WHERE msn = ? AND qr_id = ?", (msn, qr_id))

    def get_callback(self, msn: str, merchant_qr_id: str) -> MerchantCallbackQr | None:
        row = self.conn.execute(
            "SELECT msn, merchant_qr_id, location_description, created_at FROM qr_callbacks"
            " WHERE msn = ? AND merchant_qr_id = ?",
            (msn, merchant_qr_id),
        ).fetchone()
        return MerchantCallbackQr(row[0], row[1], row[2], from_us(row[3])) if row else None

    def list_callbacks(self, msn: str) -> Sequence[MerchantCallbackQr]:
        rows = self.conn.execute(
            "SELECT msn, merchant_qr_id, location_description, created_at FROM qr_callbacks WHERE msn = ?"
            " ORDER BY created_at, merchant_qr_id",
            (msn,),
        ).fetchall()
        return [MerchantCallbackQr(r[0], r[1], r[2], from_us(r[3])) for r in rows]

    def save_callback(self, qr: MerchantCallbackQr) -> None:
        self.conn.execute("DELETE FROM qr_callbacks WHERE msn = ? AND merchant_qr_id = ?",
                          (qr.msn, qr.merchant_qr_id))
        self.conn.execute(
            statements.insert(tables.qr_callbacks),
            (qr.msn, qr.merchant_qr_id, qr.location_description, to_us(qr.created_at)),
        )

    def delete_callback(self, msn: str, merchant_qr_id: str) -> None:
        self.conn.execute("DELETE FROM qr_callbacks WHERE msn = ? AND merchant_qr_id = ?", (msn, merchant_qr_id))

    def callback_owners(self, merchant_qr_id: str) -> Sequence[str]:
        rows = self.conn.execute("SELECT msn FROM qr_callbacks WHERE merchant_qr_id = ? ORDER BY msn",
                                 (merchant_qr_id,)).fetchall()
        return [r[0] for r in rows]


class SqlReceipts:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get_receipt(self, msn: str, payment_type: str, order_id: str) -> StoredReceipt | None:
        row = self.conn.execute(
            "SELECT receipt_id, body FROM order_receipts WHERE msn = ? AND payment_type = ? AND order_id = ?",
            (msn, payment_type, order_id),
        ).fetchone()
        return StoredReceipt(row[0], orjson.loads(row[1])) if row else None

    def add_receipt(self, msn: str, payment_type: str, order_id: str, receipt: StoredReceipt, at: datetime) -> None:
        self.conn.execute(
            statements.insert(tables.order_receipts),
            (msn, payment_type, order_id, receipt.receipt_id, orjson.dumps(receipt.body).decode(), to_us(at)),
        )

    def get_category(self, msn: str, payment_type: str, order_id: str) -> OrderCategory | None:
        row = self.conn.execute(
            "SELECT category_id, category, order_details_url, image_id FROM order_categories"
            " WHERE msn = ? AND payment_type = ? AND order_id = ?",
            (msn, payment_type, order_id),
        ).fetchone()
        return OrderCategory(row[0], row[1], row[2], row[3]) if row else None

    def put_category(self, msn: str, payment_type: str, order_id: str, category: OrderCategory,
                     at: datetime) -> None:
        self.conn.execute("DELETE FROM order_categories WHERE msn = ? AND payment_type = ? AND order_id = ?",
                          (msn, payment_type, order_id))
        self.conn.execute(
            statements.insert(tables.order_categories),
            (msn, payment_type, order_id, category.category_id, category.category, category.order_details_url,
             category.image_id, to_us(at)),
        )
