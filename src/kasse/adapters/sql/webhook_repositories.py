"""Webhook registrations and deliveries over SQL, plus the read models of the control plane.

The ordering rule of `domain.webhook_delivery.is_held` is expressed here as SQL (`_NOT_HELD`) and
checked again inside the claiming UPDATE, so a delivery is never leased while an earlier delivery of
its payment to the same registration is still pending, whatever another worker did meanwhile.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

import orjson

from kasse.adapters.sql import rows, statements, tables
from kasse.adapters.sql.connection import Connection, is_postgres
from kasse.domain.events import PaymentEvent
from kasse.domain.webhook_delivery import Attempt, Delivery, DeliveryJob, DeliveryState, Trigger
from kasse.domain.webhook_registration import Registration
from kasse.services.read_models import DeliveryRecord
from kasse.services.topics import DELIVERIES

PENDING = DeliveryState.PENDING.value
DELIVERY_COLUMNS = "id, webhook_id, msn, reference, event_type, state, attempts, created_at, next_attempt_at"
WEBHOOK_COLUMNS = statements.columns(tables.webhooks)

# literal 'PENDING' (not a parameter) so SQLite can use the partial indexes `WHERE state = 'PENDING'`
_NOT_HELD = (
    "NOT (webhook_deliveries.reference IS NOT NULL AND EXISTS (SELECT 1 FROM webhook_deliveries AS e"
    f" WHERE e.state = '{PENDING}' AND e.webhook_id = webhook_deliveries.webhook_id"
    " AND e.msn = webhook_deliveries.msn AND e.reference = webhook_deliveries.reference"
    " AND e.id < webhook_deliveries.id))"
)
_SENDABLE = (
    f"state = '{PENDING}' AND next_attempt_at <= ? AND (claimed_until IS NULL OR claimed_until <= ?)"
    f" AND EXISTS (SELECT 1 FROM webhooks AS w WHERE w.id = webhook_deliveries.webhook_id) AND {_NOT_HELD}"
)

_DUE = f"SELECT id, msn FROM webhook_deliveries WHERE {_SENDABLE}"
_EARLIEST_FIRST = " ORDER BY next_attempt_at, id LIMIT ?"
DUE_SQL = _DUE + _EARLIEST_FIRST


def _for_update(conn: Connection) -> str:
    return " FOR UPDATE" if is_postgres(conn) else ""


def _marks(n: int) -> str:
    return ",".join("?" * n)


def delivery_from_row(row: Any) -> Delivery:
    return Delivery(
        id=int(row[0]),
        webhook_id=row[1],
        msn=row[2],
        reference=row[3],
        event_type=row[4],
        state=DeliveryState(row[5]),
        attempts=int(row[6]),
        created_at=rows.from_us(row[7]),
        next_attempt_at=rows.from_us(row[8]),
    )


def registration_from_row(row: Any) -> Registration:
    return Registration(row[0], row[1], row[2], row[3], tuple(orjson.loads(row[4])), rows.from_us(row[5]))


class SqlWebhooks:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, registration: Registration) -> None:
        r = registration
        self.conn.execute(
            statements.insert(tables.webhooks),
            (r.id, r.msn, r.url, r.secret, orjson.dumps(list(r.events)).decode(), rows.to_us(r.created_at)),
        )
        for event_type in r.events:
            self.conn.execute(
                statements.insert(tables.webhook_subscriptions),
                (r.id, event_type, r.msn),
            )

    def list(self, msn: str) -> Sequence[Registration]:
        found = self.conn.execute(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE msn = ? ORDER BY created_at, id", (msn,)
        ).fetchall()
        return [registration_from_row(r) for r in found]

    def get(self, msn: str, webhook_id: str) -> Registration | None:
        row = self.conn.execute(
            f"SELECT {WEBHOOK_COLUMNS} FROM webhooks WHERE id = ? AND msn = ?", (webhook_id, msn)
        ).fetchone()
        return registration_from_row(row) if row else None

    def delete(self, msn: str, webhook_id: str) -> None:
        self.conn.execute("DELETE FROM webhook_subscriptions WHERE webhook_id = ? AND msn = ?", (webhook_id, msn))
        self.conn.execute("DELETE FROM webhooks WHERE id = ? AND msn = ?", (webhook_id, msn))

    def counts(self, msn: str) -> Mapping[str, int]:
        found = self.conn.execute(
            "SELECT event_type, COUNT(*) FROM webhook_subscriptions WHERE msn = ? GROUP BY event_type", (msn,)
        ).fetchall()
        return {str(event_type): int(n) for event_type, n in found}


class SqlDeliveries:
    def __init__(self, conn: Connection, topics: set[str]) -> None:
        self.conn = conn
        self.topics = topics

    def due(self, now: datetime, limit: int, skip_units: Collection[str] = ()) -> Sequence[tuple[int, str]]:
        at = rows.to_us(now)
        skip = f" AND msn NOT IN ({_marks(len(skip_units))})" if skip_units else ""  # they hold their fair share
        found = self.conn.execute(_DUE + skip + _EARLIEST_FIRST, (at, at, *skip_units, limit)).fetchall()
        return [(int(r[0]), str(r[1])) for r in found]

    def claim(self, ids: Sequence[int], now: datetime, until: datetime, token: str) -> Sequence[DeliveryJob]:
        if not ids:
            return []
        at = rows.to_us(now)
        head = (rows.to_us(until), token, *ids)
        if _for_update(self.conn):
            # rows a worker of another process is claiming right now are skipped, not waited for
            candidates = (f"SELECT id FROM webhook_deliveries WHERE id IN ({_marks(len(ids))}) AND {_SENDABLE}"
                          " FOR UPDATE SKIP LOCKED")
            params: tuple[Any, ...] = (*head, at, at, at, at)
        else:
            candidates, params = _marks(len(ids)), (*head, at, at)
        claimed = self.conn.execute(
            f"UPDATE webhook_deliveries SET claimed_until = ?, claim_token = ? WHERE id IN ({candidates})"
            f" AND {_SENDABLE} RETURNING id",
            params,
        ).fetchall()
        if not claimed:
            return []
        got = [int(r[0]) for r in claimed]
        found = self.conn.execute(
            "SELECT d.id, d.payload, d.attempts, w.url, w.secret, d.msn, d.reference, d.created_at, d.next_attempt_at"
            " FROM webhook_deliveries AS d JOIN webhooks AS w ON w.id = d.webhook_id"
            f" WHERE d.id IN ({_marks(len(got))}) ORDER BY d.id",
            got,
        ).fetchall()
        return [DeliveryJob(int(r[0]), token, r[3], r[4], bytes(r[1]), int(r[2]) + 1, r[5], r[6], rows.from_us(r[7]),
                            rows.from_us(r[8])) for r in found]

    def get(self, delivery_id: int) -> Delivery | None:
        row = self.conn.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ?", (delivery_id,)
        ).fetchone()
        return delivery_from_row(row) if row else None

    def claimed(self, delivery_id: int, token: str) -> Delivery | None:
        # PostgreSQL: lock the row until the outcome is recorded, so a discard (registration deleted) committed
        # meanwhile by another transaction is seen, or waits and wins; SQLite's single writer needs no lock
        row = self.conn.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE id = ? AND claim_token = ?"
            f"{_for_update(self.conn)}",
            (delivery_id, token),
        ).fetchone()
        return delivery_from_row(row) if row else None

    def record(self, delivery: Delivery, attempt: Attempt) -> None:
        d, a = delivery, attempt
        delivered_at = rows.to_us(a.recorded_at) if d.state is DeliveryState.DELIVERED else None
        self.conn.execute(
            "UPDATE webhook_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_attempt_at = ?,"
            " last_status = ?, last_error = ?, last_latency_ms = ?, delivered_at = COALESCE(?, delivered_at),"
            " claimed_until = NULL, claim_token = NULL WHERE id = ?",
            (d.state.value, d.attempts, rows.to_us(d.next_attempt_at), rows.to_us(a.sent_at), a.response_code,
             a.error, a.latency_ms, delivered_at, d.id),
        )
        self.topics.add(DELIVERIES)  # its successors may be sendable now
        self.log_attempt(a)

    def log_attempt(self, attempt: Attempt) -> None:
        a = attempt
        self.conn.execute(
            statements.insert(tables.webhook_delivery_attempts, ("id",)),
            (a.delivery_id, a.number, a.outcome.value, rows.to_us(a.recorded_at), rows.to_us(a.sent_at),
             a.response_code, a.latency_ms, a.error),
        )

    def update(self, delivery: Delivery) -> None:
        self.conn.execute(
            "UPDATE webhook_deliveries SET state = ?, next_attempt_at = ? WHERE id = ?",
            (delivery.state.value, rows.to_us(delivery.next_attempt_at), delivery.id),
        )
        self.topics.add(DELIVERIES)

    def pending_for(self, webhook_id: str) -> Sequence[Delivery]:
        found = self.conn.execute(
            f"SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE webhook_id = ? AND state = '{PENDING}'",
            (webhook_id,),
        ).fetchall()
        return [delivery_from_row(r) for r in found]

    def _successors(self, delivery: Delivery, keep_when: str, at: datetime) -> None:
        if delivery.reference is None:
            return
        us = rows.to_us(at)
        # CASE rather than SQLite's two-argument MAX/MIN (PostgreSQL spells those GREATEST/LEAST)
        self.conn.execute(
            f"UPDATE webhook_deliveries SET next_attempt_at = CASE WHEN next_attempt_at {keep_when} ?"
            f" THEN next_attempt_at ELSE ? END WHERE state = '{PENDING}'"
            " AND webhook_id = ? AND msn = ? AND reference = ? AND id > ?",
            (us, us, delivery.webhook_id, delivery.msn, delivery.reference, delivery.id),
        )
        self.topics.add(DELIVERIES)

    def hold_successors(self, delivery: Delivery, until: datetime) -> None:
        self._successors(delivery, ">=", until)

    def release_successors(self, delivery: Delivery, now: datetime) -> None:
        self._successors(delivery, "<=", now)


def delivery_history(
    conn: Connection, *, reference: str | None = None, msn: str | None = None, delivery_id: int | None = None,
    limit: int = 100,
) -> list[DeliveryRecord]:
    """Return deliveries (newest first), filtered by payment reference, sales unit or id, with their attempts."""
    where: list[str] = []
    params: list[object] = []
    for column, value in (("d.reference", reference), ("d.msn", msn), ("d.id", delivery_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    found = conn.execute(
        f"SELECT d.id, d.webhook_id, d.msn, d.reference, d.event_type, d.state, d.attempts, d.created_at,"
        f" d.next_attempt_at, d.payload, d.delivered_at, w.url FROM webhook_deliveries AS d"
        f" LEFT JOIN webhooks AS w ON w.id = d.webhook_id {clause} ORDER BY d.id DESC LIMIT ?",
        (*params, limit),
    ).fetchall()
    records = {
        int(r[0]): DeliveryRecord(delivery_from_row(r), bytes(r[9]), rows.from_us(r[10]) if r[10] else None, r[11])
        for r in found
    }
    if records:
        attempts = conn.execute(
            "SELECT delivery_id, number, outcome, sent_at, created_at, response_code, latency_ms, error"
            f" FROM webhook_delivery_attempts WHERE delivery_id IN ({_marks(len(records))}) ORDER BY id",
            list(records),
        ).fetchall()
        for a in attempts:
            records[int(a[0])].attempts.append(
                Attempt(int(a[0]), int(a[1]), Trigger(a[2]), rows.from_us(a[3]), rows.from_us(a[4]), a[5], a[6], a[7])
            )
    return list(records.values())


def events_since(conn: Connection, msn: str, after: int, limit: int = 500) -> list[tuple[int, PaymentEvent]]:
    """Return the sales unit's events after log position `after`, in order, with their positions."""
    found = conn.execute(
        f"SELECT id, {rows.EVENT_COLUMNS} FROM payment_events WHERE id > ? AND msn = ? ORDER BY id LIMIT ?",
        (after, msn, limit),
    ).fetchall()
    return [(int(r[0]), rows.event_from_row(r[1:])) for r in found]


def last_event_id(conn: Connection) -> int:
    """Return the position of the newest event in the log (0 when empty)."""
    row = conn.execute("SELECT MAX(id) FROM payment_events").fetchone()
    return int(row[0] or 0)


class SqlDeliveryLog:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def history(self, *, reference: str | None = None, msn: str | None = None, delivery_id: int | None = None,
                limit: int = 100) -> list[DeliveryRecord]:
        return delivery_history(self.conn, reference=reference, msn=msn, delivery_id=delivery_id, limit=limit)


class SqlEventFeed:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def since(self, msn: str, after: int, limit: int = 500) -> list[tuple[int, PaymentEvent]]:
        return events_since(self.conn, msn, after, limit)

    def last_position(self) -> int:
        return last_event_id(self.conn)
