"""The ports the use cases need: a unit of work with its repositories, a clock and an id source.

Adapters implement them over SQL; tests implement them in memory. A use case runs inside one
unit of work, so a state change, its event and its webhook deliveries commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant
from kasse.domain.payment import Payment


class Clock(Protocol):
    """The current time; injected so tests and the control API can move it."""

    def now(self) -> datetime:
        """Return the current UTC-aware moment."""
        ...


class Ids(Protocol):
    """Fresh opaque identifiers."""

    def psp_reference(self) -> str:
        """Return a new pspReference for one event."""
        ...

    def token(self) -> str:
        """Return a new unguessable URL-safe token."""
        ...


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """The first outcome of an idempotent request, replayed verbatim on a retry with the same key."""

    fingerprint: str
    status: int
    body: bytes


class PaymentRepository(Protocol):
    """Payments by sales unit and reference."""

    def get(self, msn: str, reference: str) -> Payment | None:
        """Return the payment, or None."""
        ...

    def get_by_token(self, token: str) -> Payment | None:
        """Return the payment whose redirect token this is, or None."""
        ...

    def add(self, payment: Payment, token: str | None) -> None:
        """Store a new payment."""
        ...

    def update(self, payment: Payment) -> None:
        """Store a changed payment; its version must be one above the stored one."""
        ...

    def due_for_expiry(self, now: datetime, limit: int) -> Sequence[Payment]:
        """Return unanswered payments whose deadline has passed, oldest first."""
        ...


class EventRepository(Protocol):
    """The append-only event log."""

    def append(self, event: PaymentEvent) -> int:
        """Append an event and return its position in the global log."""
        ...

    def list(self, msn: str, reference: str) -> Sequence[PaymentEvent]:
        """Return a payment's events in order."""
        ...


class IdempotencyRepository(Protocol):
    """Stored first responses, per sales unit and key."""

    def get(self, msn: str, key: str) -> StoredResponse | None:
        """Return the stored response, or None."""
        ...

    def put(self, msn: str, key: str, response: StoredResponse, at: datetime) -> None:
        """Store the first response for a key."""
        ...


class MerchantRepository(Protocol):
    """Sales units and their credentials."""

    def get(self, msn: str) -> Merchant | None:
        """Return the sales unit, or None."""
        ...

    def by_client_id(self, client_id: str) -> Merchant | None:
        """Return the sales unit owning this client_id, or None."""
        ...

    def add(self, merchant: Merchant) -> None:
        """Store a new sales unit."""
        ...


class OutboxRepository(Protocol):
    """Webhook deliveries waiting to be sent; written in the state change's transaction."""

    def enqueue(self, event: PaymentEvent, event_id: int) -> int:
        """Queue one delivery per registration subscribed to the event's type; return how many."""
        ...

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        """Queue a delivery of a non-payment event (e.g. `user.checked-in.v1`) to its subscribers."""
        ...


class UnitOfWork(Protocol):
    """One transaction over all repositories."""

    @property
    def payments(self) -> PaymentRepository:
        """Payments."""
        ...

    @property
    def events(self) -> EventRepository:
        """The event log."""
        ...

    @property
    def idempotency(self) -> IdempotencyRepository:
        """Stored idempotent responses."""
        ...

    @property
    def merchants(self) -> MerchantRepository:
        """Sales units."""
        ...

    @property
    def outbox(self) -> OutboxRepository:
        """Webhook deliveries to send."""
        ...
