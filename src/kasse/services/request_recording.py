"""Recording API requests off the hot path: a bounded queue in memory, flushed to the request log in batches.

A request only appends its raw exchange to the queue (never blocking: when the queue is full the exchange
is dropped and counted). A background task hands each batch to the database, whose thread turns it into
redacted records (off the event loop) and writes it in a transaction apart from the payments' group
commit (on PostgreSQL a COPY that never holds up a batch of payments), pruning the log to its retention in
the same transaction; it flushes what is left when the server stops. Each process records the requests
it served, so with several workers over one database every request is stored exactly once. The log is
a debugging aid, not a record of money: a batch whose write fails is logged and counted as dropped rather
than retried forever.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol, TypeVar

from kasse.domain.request_redaction import redact_body, redact_headers, redact_query, reference_in
from kasse.services.ports import Clock, UnitOfWork
from kasse.services.read_models import RequestRecord

T = TypeVar("T")
log = logging.getLogger("kasse.requests")

FLUSH_INTERVAL = 0.5  # seconds: how stale the log may be while requests trickle in
BATCH = 500  # exchanges per write job; a fuller queue wakes the flusher early
CAPACITY = 20_000  # exchanges held in memory at most (a few KiB each) before new ones are dropped
MAX_FIELD = 200  # characters kept of a caller's reference, MSN or Idempotency-Key


class Writes(Protocol):
    """The database's writes (container.Database)."""

    async def write_apart(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Run `fn` in a write transaction beside the payments' group commit; return its result once committed."""
        ...


@dataclass(frozen=True, slots=True)
class Retention:
    """How much of the log is kept: at most `max_rows` requests, none older than `max_age` on kasse's clock."""

    max_rows: int = 100_000
    max_age: timedelta = timedelta(days=7)


@dataclass(frozen=True, slots=True)
class Exchange:
    """A request and its answer as the HTTP layer saw them, not yet redacted."""

    at: datetime
    method: str
    path: str
    query: bytes
    headers: Sequence[tuple[bytes, bytes]]
    msn: str | None  # the authenticated sales unit, if any
    status: int
    duration_ms: float
    request_body: bytes
    response_body: bytes


def _segment(path: str, index: int) -> str | None:
    parts = path.split("/")
    return parts[index] if len(parts) > index and parts[index] else None


def reference_of(method: str, path: str, body: bytes) -> str | None:
    """Return the payment (order) reference a request is about: from its path, or a create's body."""
    if path.startswith("/epayment/v1/payments"):
        if path.rstrip("/") == "/epayment/v1/payments":
            return reference_in(body) if method == "POST" else None
        return _segment(path, 4)
    if path.startswith("/epayment/v1/test/payments/"):
        return _segment(path, 5)
    if path.startswith("/order-management/v2/"):  # /{type}/{orderId} or /{type}/receipts|categories/{orderId}
        return _segment(path, 5) if _segment(path, 4) in ("receipts", "categories") else _segment(path, 4)
    return None


def _short(value: str | None) -> str | None:
    return value[:MAX_FIELD] if value else None


def record_of(exchange: Exchange) -> RequestRecord:
    """Return what the log keeps of an exchange: redacted headers, query and bodies, who and which payment."""
    kept = redact_headers(exchange.headers)
    content_type = kept.get("content-type", "")
    return RequestRecord(
        id=0,
        at=exchange.at,
        method=exchange.method,
        path=exchange.path,
        query=redact_query(exchange.query.decode("latin-1")),
        status=exchange.status,
        duration_ms=round(exchange.duration_ms, 3),
        msn=_short(exchange.msn or kept.get("merchant-serial-number")),
        reference=_short(reference_of(exchange.method, exchange.path, exchange.request_body)),
        idempotency_key=_short(kept.get("idempotency-key")),
        request_headers=kept,
        request_body=redact_body(exchange.request_body, content_type),
        response_body=redact_body(exchange.response_body, "application/json"),
    )


def _record_or_none(exchange: Exchange) -> RequestRecord | None:
    try:
        return record_of(exchange)
    except Exception:  # a body no rule foresaw must not stop the log: that one request is left out
        log.exception("could not record %s %s", exchange.method, exchange.path[:200])
        return None


def store_requests(uow: UnitOfWork, exchanges: Sequence[Exchange], now: datetime, retention: Retention) -> int:
    """Append a batch to the request log, redacted, and prune the log to its retention; return how many stored."""
    records = [r for r in map(_record_or_none, exchanges) if r is not None]
    uow.request_log.append(records)
    uow.request_log.prune(keep=retention.max_rows, recorded_before=now - retention.max_age)
    return len(records)


class RequestRecorder:
    """The queue between the HTTP layer and the request log, and the task that empties it."""

    def __init__(self, db: Writes, clock: Clock, retention: Retention, *, capacity: int = CAPACITY) -> None:
        self.db = db
        self.clock = clock
        self.retention = retention
        self.capacity = capacity
        self.dropped = 0
        self.recorded = 0
        self._pending: deque[Exchange] = deque()
        self._wake: asyncio.Event | None = None
        self._flushing: asyncio.Lock | None = None  # one flush at a time, so a finished flush is a barrier

    def offer(self, exchange: Exchange) -> None:
        """Queue an exchange without ever waiting; drop it (counted) when the queue is full."""
        if len(self._pending) >= self.capacity:
            self.dropped += 1
            return
        self._pending.append(exchange)
        if len(self._pending) >= BATCH and self._wake is not None:
            self._wake.set()

    async def run(self, stop: asyncio.Event) -> None:
        """Flush every `FLUSH_INTERVAL` (sooner when a batch is full) until `stop`, then flush the rest."""
        self._wake = asyncio.Event()
        while not stop.is_set():
            stopping = asyncio.ensure_future(stop.wait())
            waking = asyncio.ensure_future(self._wake.wait())
            await asyncio.wait((stopping, waking), timeout=FLUSH_INTERVAL, return_when=asyncio.FIRST_COMPLETED)
            for waiter in (stopping, waking):
                waiter.cancel()
            self._wake.clear()
            await self.flush()
        await self.flush()

    async def flush(self) -> int:
        """Write everything queued so far (and wait for a flush under way); return how many were stored."""
        if self._flushing is None:
            self._flushing = asyncio.Lock()
        async with self._flushing:
            return await self._flush()

    async def _flush(self) -> int:
        stored = 0
        while self._pending:
            exchanges = [self._pending.popleft() for _ in range(min(BATCH, len(self._pending)))]
            job = functools.partial(store_requests, exchanges=exchanges, now=self.clock.now(), retention=self.retention)
            try:
                written = await self.db.write_apart(job)
            except Exception:
                self.dropped += len(exchanges)
                log.exception("could not store %d requests in the request log", len(exchanges))
                continue
            self.dropped += len(exchanges) - written
            stored += written
        self.recorded += stored
        return stored
