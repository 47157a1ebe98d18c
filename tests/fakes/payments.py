"""Payments, their event log and stored idempotent answers, in memory.

`InMemoryPayments.update` checks the version like the SQL repository does, so a use case that writes
from a stale read fails here too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from kasse.domain.events import PaymentEvent
from kasse.domain.payment import Payment
from kasse.domain.payment_state import PaymentState
from kasse.services.ports import StoredResponse
from tests.fakes.store_errors import ConcurrentUpdateError, DuplicateKeyError


class InMemoryPayments:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], Payment] = {}
        self.tokens: dict[str, tuple[str, str]] = {}

    def get(self, msn: str, reference: str) -> Payment | None:
        return self.rows.get((msn, reference))

    def expect(self, msn: str, reference: str) -> None:
        pass

    def get_by_token(self, token: str) -> Payment | None:
        key = self.tokens.get(token)
        return self.rows[key] if key else None

    def add(self, payment: Payment, token: str | None) -> None:
        key = (payment.msn, payment.reference)
        if key in self.rows or (token is not None and token in self.tokens):
            raise DuplicateKeyError(key)
        self.rows[key] = payment
        if token is not None:
            self.tokens[token] = key

    def update(self, payment: Payment) -> None:
        stored = self.rows.get((payment.msn, payment.reference))
        if stored is None or stored.version != payment.version - 1:
            raise ConcurrentUpdateError(f"{payment.msn}/{payment.reference} changed concurrently")
        self.rows[(payment.msn, payment.reference)] = payment

    def due_for_expiry(self, now: datetime, limit: int) -> Sequence[Payment]:
        due = [p for p in self.rows.values() if p.state is PaymentState.CREATED and p.expires_at <= now]
        return sorted(due, key=lambda p: p.expires_at)[:limit]


class InMemoryEvents:
    """The global event log; an event's position is its index plus one, as the SQL store numbers them."""

    def __init__(self) -> None:
        self.log: list[PaymentEvent] = []

    def append(self, event: PaymentEvent) -> None:
        self.log.append(event)

    def list(self, msn: str, reference: str) -> Sequence[PaymentEvent]:
        return [e for e in self.log if (e.msn, e.reference) == (msn, reference)]


class InMemoryIdempotency:
    def __init__(self) -> None:
        self.stored: dict[tuple[str, str], tuple[StoredResponse, datetime]] = {}

    def get(self, msn: str, key: str) -> StoredResponse | None:
        found = self.stored.get((msn, key))
        return found[0] if found else None

    def put(self, msn: str, key: str, response: StoredResponse, at: datetime) -> None:
        if (msn, key) in self.stored:
            raise DuplicateKeyError((msn, key))
        self.stored[(msn, key)] = (response, at)
