"""Repositories over a DB-API connection with `?` parameters; the SQL here is plain enough for both backends."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Protocol

import orjson

from kasse.adapters.sql import rows
from kasse.adapters.sql.clock_repository import SqlClockState
from kasse.adapters.sql.ledger_repositories import SqlLedgers, SqlPartners
from kasse.adapters.sql.wallet_repositories import SqlReceipts, SqlStaticQrs, SqlUsers, SqlWallet
from kasse.adapters.sql.webhook_repositories import SqlDeliveries, SqlDeliveryLog, SqlEventFeed, SqlWebhooks
from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant
from kasse.domain.payment import Payment
from kasse.services.ports import StoredResponse


class Cursor(Protocol):
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class Connection(Protocol):
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Cursor: ...


class ConcurrentUpdateError(RuntimeError):
    """A payment changed under us: its stored version is not the one we read."""


class SqlPayments:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, msn: str, reference: str) -> Payment | None:
        row = self.conn.execute(
            f"SELECT {rows.PAYMENT_COLUMNS} FROM payments WHERE msn = ? AND reference = ?", (msn, reference)
        ).fetchone()
        return rows.payment_from_row(row) if row else None

    def get_by_token(self, token: str) -> Payment | None:
        row = self.conn.execute(f"SELECT {rows.PAYMENT_COLUMNS} FROM payments WHERE token = ?", (token,)).fetchone()
        return rows.payment_from_row(row) if row else None

    def add(self, payment: Payment, token: str | None) -> None:
        self.conn.execute(
            f"INSERT INTO payments ({rows.PAYMENT_COLUMNS}, token) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*rows.payment_to_row(payment), token),
        )

    def update(self, payment: Payment) -> None:
        row = self.conn.execute(
            "UPDATE payments SET state = ?, authorized = ?, captured = ?, refunded = ?, cancelled = ?, version = ?"
            " WHERE msn = ? AND reference = ? AND version = ? RETURNING version",
            (payment.state.value, payment.authorized, payment.captured, payment.refunded, payment.cancelled,
             payment.version, payment.msn, payment.reference, payment.version - 1),
        ).fetchone()
        if row is None:
            raise ConcurrentUpdateError(f"{payment.msn}/{payment.reference} changed concurrently")

    def due_for_expiry(self, now: datetime, limit: int) -> Sequence[Payment]:
        # PostgreSQL: rows another process is expiring (or approving) right now are skipped, not waited for
        lock = " FOR UPDATE SKIP LOCKED" if getattr(self.conn, "dialect", "sqlite") == "postgresql" else ""
        found = self.conn.execute(
            f"SELECT {rows.PAYMENT_COLUMNS} FROM payments WHERE state = 'CREATED' AND expires_at <= ?"
            f" ORDER BY expires_at LIMIT ?{lock}",
            (rows.to_us(now), limit),
        ).fetchall()
        return [rows.payment_from_row(r) for r in found]


class SqlEvents:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def append(self, event: PaymentEvent) -> int:
        row = self.conn.execute(
            f"INSERT INTO payment_events ({rows.EVENT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?) RETURNING id",
            rows.event_to_row(event),
        ).fetchone()
        return int(row[0])

    def list(self, msn: str, reference: str) -> Sequence[PaymentEvent]:
        found = self.conn.execute(
            f"SELECT {rows.EVENT_COLUMNS} FROM payment_events WHERE msn = ? AND reference = ? ORDER BY id",
            (msn, reference),
        ).fetchall()
        return [rows.event_from_row(r) for r in found]


class SqlIdempotency:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, msn: str, key: str) -> StoredResponse | None:
        row = self.conn.execute(
            "SELECT fingerprint, status, body FROM idempotency_keys WHERE msn = ? AND key = ?", (msn, key)
        ).fetchone()
        return StoredResponse(row[0], row[1], bytes(row[2])) if row else None

    def put(self, msn: str, key: str, response: StoredResponse, at: datetime) -> None:
        self.conn.execute(
            "INSERT INTO idempotency_keys (msn, key, fingerprint, status, body, created_at) VALUES (?,?,?,?,?,?)",
            (msn, key, response.fingerprint, response.status, response.body, rows.to_us(at)),
        )


class SqlMerchants:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def get(self, msn: str) -> Merchant | None:
        row = self.conn.execute(f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants WHERE msn = ?", (msn,)).fetchone()
        return rows.merchant_from_row(row) if row else None

    def by_client_id(self, client_id: str) -> Merchant | None:
        row = self.conn.execute(
            f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants WHERE client_id = ?", (client_id,)
        ).fetchone()
        return rows.merchant_from_row(row) if row else None

    def list(self) -> list[Merchant]:
        found = self.conn.execute(f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants ORDER BY created_at, msn").fetchall()
        return [rows.merchant_from_row(r) for r in found]

    def add(self, merchant: Merchant) -> None:
        self.conn.execute(
            f"INSERT INTO merchants ({rows.MERCHANT_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            rows.merchant_to_row(merchant),
        )


class SqlOutbox:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def enqueue(self, event: PaymentEvent, event_id: int) -> int:
        event_type = event.name.webhook_event
        hooks = self.conn.execute(
            "SELECT webhook_id FROM webhook_subscriptions WHERE msn = ? AND event_type = ?", (event.msn, event_type)
        ).fetchall()
        if not hooks:
            return 0
        payload = orjson.dumps(event.to_webhook())
        self._insert(hooks, event.msn, event.reference, event_id, event_type, payload, rows.to_us(event.timestamp))
        return len(hooks)

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        hooks = self.conn.execute(
            "SELECT webhook_id FROM webhook_subscriptions WHERE msn = ? AND event_type = ?", (msn, event_type)
        ).fetchall()
        self._insert(hooks, msn, None, None, event_type, orjson.dumps(payload), rows.to_us(at))
        return len(hooks)

    def _insert(self, hooks: list[Any], msn: str, reference: str | None, event_id: int | None, event_type: str,
                payload: bytes, at: int) -> None:
        for (webhook_id,) in hooks:
            self.conn.execute(
                "INSERT INTO webhook_deliveries (webhook_id, msn, reference, event_id, event_type, payload, state,"
                " attempts, created_at, next_attempt_at) VALUES (?,?,?,?,?,?, 'PENDING', 0, ?, ?)",
                (webhook_id, msn, reference, event_id, event_type, payload, at, at),
            )


class SqlUnitOfWork:
    """All repositories over one connection, inside the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.payments = SqlPayments(conn)
        self.events = SqlEvents(conn)
        self.idempotency = SqlIdempotency(conn)
        self.merchants = SqlMerchants(conn)
        self.outbox = SqlOutbox(conn)
        self.webhooks = SqlWebhooks(conn)
        self.deliveries = SqlDeliveries(conn)
        self.users = SqlUsers(conn)
        self.wallet = SqlWallet(conn)
        self.static_qrs = SqlStaticQrs(conn)
        self.receipts = SqlReceipts(conn)
        self.clock_state = SqlClockState(conn)
        self.delivery_log = SqlDeliveryLog(conn)
        self.event_feed = SqlEventFeed(conn)
        self.ledgers = SqlLedgers(conn)
        self.partners = SqlPartners(conn)
