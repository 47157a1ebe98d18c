"""Repositories of payments, events, idempotency keys, merchants and the outbox over a `?`-parameter connection.

The SQL here is plain enough for both backends. Writes name the commit topics they touch
(`adapters.commit_signal`), so the loops that wait for that kind of change are the only ones woken.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, MutableMapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from kasse.adapters.sql import rows, statements, tables
from kasse.adapters.sql.connection import (
    ConcurrentUpdateError,
    Connection,
    Cursor,
    Sent,
    is_pipelined,
    is_postgres,
    send,
)
from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant
from kasse.domain.payment import Payment
from kasse.services.ports import StoredResponse
from kasse.services.topics import DELIVERIES, EVENTS, PAYMENTS

_PAYMENT_SELECT = f"SELECT {rows.PAYMENT_COLUMNS} FROM payments"
_EVENT_INSERT = statements.insert(tables.payment_events, ("id",))
_DELIVERY_FIELDS = (
    "webhook_id, msn, reference, event_id, event_type, payload, state, attempts, created_at, next_attempt_at"
)
# one statement queues a delivery per subscribed registration: no round trip to learn who subscribed first,
# nor to learn the id of the event appended just before (this session's last one on PostgreSQL; SQLite has
# one writer, so the newest)
_ENQUEUE = (
    f"INSERT INTO webhook_deliveries ({_DELIVERY_FIELDS}) SELECT s.webhook_id, ?, ?, {{event_id}}, ?, ?, 'PENDING',"
    " 0, ?, ? FROM webhook_subscriptions AS s WHERE s.msn = ? AND s.event_type = ?"
)
_LAST_EVENT = {"postgresql": "currval('payment_events_id_seq')", "sqlite": "(SELECT max(id) FROM payment_events)"}


# a payment and an idempotency key read in one statement (`SqlIdempotency.get` after `SqlPayments.expect`): one
# row, whose first columns are the payment's (all NULL without one) and last three the key's (NULL without one)
_PAYMENT_AND_KEY = (
    f"SELECT {', '.join(f'p.{c.strip()}' for c in rows.PAYMENT_COLUMNS.split(','))}, k.fingerprint, k.status, k.body"
    " FROM (VALUES (1)) AS one (x) LEFT JOIN payments AS p ON p.msn = ? AND p.reference = ?"
    " LEFT JOIN idempotency_keys AS k ON k.msn = ? AND k.key = ?"
)
_KEY_COLUMNS = 3
# the same for several jobs of a batch at once (PostgreSQL: `SqlIdempotency.read_ahead`), a row per job, in order
# `LIMIT 1` (each is unique) keeps every lookup an index probe per job: a prepared statement's generic plan,
# made while the tables were small, would otherwise hash-join them in full
_PAYMENTS_AND_KEYS = (
    f"SELECT {', '.join(f'p.{c.strip()}' for c in rows.PAYMENT_COLUMNS.split(','))}, k.fingerprint, k.status, k.body"
    " FROM unnest(?::text[], ?::text[], ?::text[]) WITH ORDINALITY AS j (msn, reference, key, i)"
    " LEFT JOIN LATERAL (SELECT * FROM payments WHERE msn = j.msn AND reference = j.reference LIMIT 1) AS p ON true"
    " LEFT JOIN LATERAL (SELECT * FROM idempotency_keys WHERE msn = j.msn AND key = j.key LIMIT 1) AS k ON true"
    " ORDER BY j.i"
)


class _Rows:
    """The rows of a statement that read for several jobs, fetched once, when the first job reads its own."""

    __slots__ = ("_cursor", "_rows")

    def __init__(self, cursor: Cursor) -> None:
        self._cursor = cursor
        self._rows: list[Any] | None = None

    def row(self, i: int) -> Any:
        if self._rows is None:
            self._rows = self._cursor.fetchall()
        return self._rows[i]


class _OneRow:
    """The one row of a statement that reads for two repositories, fetched once, each reading its columns."""

    __slots__ = ("_fetch", "_row")

    def __init__(self, fetch: Callable[[], Any]) -> None:
        self._fetch = fetch  # a cursor's `fetchone`, or one row of several (`_Rows.row`)
        self._row: tuple[Any, ...] | None = None

    def part(self, columns: slice) -> _Part:
        return _Part(self, columns)

    def columns(self, columns: slice) -> tuple[Any, ...] | None:
        if self._row is None:
            self._row = tuple(self._fetch())
        found = self._row[columns]
        return None if found[0] is None else found  # the first column of either part is never NULL when stored


class _Part:
    """Some columns of a `_OneRow`, read like a cursor: None when that part found nothing."""

    __slots__ = ("_columns", "_row")

    def __init__(self, row: _OneRow, columns: slice) -> None:
        self._row, self._columns = row, columns

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._row.columns(self._columns)


class SqlPayments:
    def __init__(self, conn: Connection, topics: set[str]) -> None:
        self.conn = conn
        self.topics = topics
        self.ahead: dict[tuple[str, str], Cursor | _Part] = {}  # reads sent by `expect`, not yet fetched
        self.expected: tuple[str, str] | None = None  # named by `expect`, not sent yet (pipelined)

    def get(self, msn: str, reference: str) -> Payment | None:
        self._send_expected()
        sent = self.ahead.pop((msn, reference), None)
        if sent is None:
            sent = self.conn.execute(f"{_PAYMENT_SELECT} WHERE msn = ? AND reference = ?", (msn, reference))
        row = sent.fetchone()
        return rows.payment_from_row(row) if row else None

    def expect(self, msn: str, reference: str) -> None:
        """Say which payment this job will read: pipelined, it travels with the job's first read.

        When that first read is an idempotency key (`SqlIdempotency.get`), both are one statement.
        """
        if is_pipelined(self.conn):
            self._send_expected()
            self.expected = (msn, reference)

    def take_expected(self, msn: str) -> str | None:
        """Return the expected payment's reference for a read that will fetch it with its own (None: none of msn)."""
        expected, self.expected = self.expected, None
        if expected is None or expected[0] != msn:
            self.expected = expected
            return None
        return expected[1]

    def _send_expected(self) -> None:
        if self.expected is not None:
            msn, reference = self.expected
            self.expected = None
            self.ahead[(msn, reference)] = self.conn.execute(
                f"{_PAYMENT_SELECT} WHERE msn = ? AND reference = ?", (msn, reference))

    def get_by_token(self, token: str) -> Payment | None:
        row = self.conn.execute(f"{_PAYMENT_SELECT} WHERE token = ?", (token,)).fetchone()
        return rows.payment_from_row(row) if row else None

    def add(self, payment: Payment, token: str | None) -> None:
        send(self.conn, rows.PAYMENT_INSERT, rows.payment_to_row(payment, token))
        self.topics.add(PAYMENTS)

    def update(self, payment: Payment) -> None:
        row = self.conn.execute(
            "UPDATE payments SET state = ?, authorized = ?, captured = ?, refunded = ?, cancelled = ?, version = ?"
            " WHERE msn = ? AND reference = ? AND version = ? RETURNING version",
            (payment.state.value, payment.authorized, payment.captured, payment.refunded, payment.cancelled,
             payment.version, payment.msn, payment.reference, payment.version - 1),
        ).fetchone()
        if row is None:
            raise ConcurrentUpdateError(f"{payment.msn}/{payment.reference} changed concurrently")
        self.topics.add(PAYMENTS)

    def due_for_expiry(self, now: datetime, limit: int) -> Sequence[Payment]:
        # PostgreSQL: rows another process is expiring (or approving) right now are skipped, not waited for
        lock = " FOR UPDATE SKIP LOCKED" if is_postgres(self.conn) else ""
        found = self.conn.execute(
            f"{_PAYMENT_SELECT} WHERE state = 'CREATED' AND expires_at <= ? ORDER BY expires_at LIMIT ?{lock}",
            (rows.to_us(now), limit),
        ).fetchall()
        return [rows.payment_from_row(r) for r in found]


class SqlEvents:
    def __init__(self, conn: Connection, topics: set[str]) -> None:
        self.conn = conn
        self.topics = topics

    def append(self, event: PaymentEvent) -> None:
        send(self.conn, _EVENT_INSERT, rows.event_to_row(event))
        self.topics.add(EVENTS)

    def list(self, msn: str, reference: str) -> Sequence[PaymentEvent]:
        found = self.conn.execute(
            f"SELECT {rows.EVENT_COLUMNS} FROM payment_events WHERE msn = ? AND reference = ? ORDER BY id",
            (msn, reference),
        ).fetchall()
        return [rows.event_from_row(r) for r in found]


class SqlIdempotency:
    def __init__(self, conn: Connection, payments: SqlPayments | None = None) -> None:
        self.conn = conn
        self.payments = payments  # whose expected payment a key's read fetches too (pipelined)
        self.ahead: dict[tuple[str, str], tuple[str, _OneRow]] = {}  # key -> (its payment, both read: `read_ahead`)

    def read_ahead(self, reads: Sequence[tuple[str, str, str]]) -> None:
        """Send now, in one statement, the reads jobs will make of their key and expected payment (`get`), given
        as (msn, reference, key): none of those jobs then waits for a round trip of its own (PostgreSQL only)."""
        if reads:
            found = _Rows(self.conn.execute(_PAYMENTS_AND_KEYS, [list(column) for column in zip(*reads, strict=True)]))
            for i, (msn, reference, key) in enumerate(reads):
                self.ahead[(msn, key)] = (reference, _OneRow(functools.partial(found.row, i)))

    def get(self, msn: str, key: str) -> StoredResponse | None:
        reference = self.payments.take_expected(msn) if self.payments is not None else None
        sent = self.ahead.pop((msn, key), None)
        row: Any
        if self.payments is not None and reference is not None:  # one statement: the key and the payment
            both = sent[1] if sent is not None and sent[0] == reference else _OneRow(
                self.conn.execute(_PAYMENT_AND_KEY, (msn, reference, msn, key)).fetchone)
            self.payments.ahead[(msn, reference)] = both.part(slice(0, -_KEY_COLUMNS))
            row = both.columns(slice(-_KEY_COLUMNS, None))
        else:
            row = self.conn.execute(
                "SELECT fingerprint, status, body FROM idempotency_keys WHERE msn = ? AND key = ?", (msn, key)
            ).fetchone()
        return StoredResponse(row[0], row[1], bytes(row[2])) if row else None

    def put(self, msn: str, key: str, response: StoredResponse, at: datetime) -> None:
        send(
            self.conn, statements.insert(tables.idempotency_keys),
            (msn, key, response.fingerprint, response.status, response.body, rows.to_us(at)),
        )


class SqlMerchants:
    """Sales units; found ones are kept in `cache`, since a stored sales unit never changes."""

    def __init__(self, conn: Connection, cache: MutableMapping[str, Merchant]) -> None:
        self.conn = conn
        self.cache = cache

    def get(self, msn: str) -> Merchant | None:
        known = self.cache.get(msn)
        if known is not None:
            return known
        row = self.conn.execute(f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants WHERE msn = ?", (msn,)).fetchone()
        if row is None:
            return None
        merchant = self.cache[msn] = rows.merchant_from_row(row)
        return merchant

    def by_client_id(self, client_id: str) -> Merchant | None:
        row = self.conn.execute(
            f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants WHERE client_id = ?", (client_id,)
        ).fetchone()
        return rows.merchant_from_row(row) if row else None

    def list(self) -> list[Merchant]:
        found = self.conn.execute(f"SELECT {rows.MERCHANT_COLUMNS} FROM merchants ORDER BY created_at, msn").fetchall()
        return [rows.merchant_from_row(r) for r in found]

    def add(self, merchant: Merchant) -> None:
        self.conn.execute(statements.insert(tables.merchants), rows.merchant_to_row(merchant))


class SqlOutbox:
    def __init__(self, conn: Connection, topics: set[str], unsettled: list[tuple[Sent, str]]) -> None:
        self.conn = conn
        self.topics = topics
        self.unsettled = unsettled  # pipelined: whether it queued anything is known after the job's sync
        self._enqueue = _ENQUEUE.format(event_id=_LAST_EVENT["postgresql" if is_postgres(conn) else "sqlite"])

    def enqueue(self, event: PaymentEvent) -> None:
        payload, at = orjson.dumps(event.to_webhook()), rows.to_us(event.timestamp)
        msn, event_type = event.msn, event.name.webhook_event
        sent = send(self.conn, self._enqueue, (msn, event.reference, event_type, payload, at, at, msn, event_type))
        if is_pipelined(self.conn):
            self.unsettled.append((sent, DELIVERIES))
        elif sent.rowcount > 0:
            self.topics.add(DELIVERIES)

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        hooks = self.conn.execute(
            "SELECT webhook_id FROM webhook_subscriptions WHERE msn = ? AND event_type = ?", (msn, event_type)
        ).fetchall()
        for (webhook_id,) in hooks:
            self.conn.execute(
                f"INSERT INTO webhook_deliveries ({_DELIVERY_FIELDS}) VALUES (?, ?, NULL, NULL, ?, ?, 'PENDING', 0,"
                " ?, ?)", (webhook_id, msn, event_type, orjson.dumps(payload), rows.to_us(at), rows.to_us(at)))
        if hooks:
            self.topics.add(DELIVERIES)
        return len(hooks)

    def enqueue_to(self, webhook_id: str, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        row = self.conn.execute(
            f"INSERT INTO webhook_deliveries ({_DELIVERY_FIELDS}) VALUES (?, ?, NULL, NULL, ?, ?, 'PENDING', 0, ?, ?)"
            " RETURNING id", (webhook_id, msn, event_type, orjson.dumps(payload), rows.to_us(at), rows.to_us(at)),
        ).fetchone()
        self.topics.add(DELIVERIES)
        return int(row[0])
