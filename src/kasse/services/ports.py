"""The ports the use cases need: a unit of work with its repositories, a clock and an id source.

Adapters implement them over SQL; tests implement them in memory. A use case runs inside one
unit of work, so a state change, its event and its webhook deliveries commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kasse.domain.clock_state import ClockState
from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant
from kasse.domain.payment import Payment
from kasse.domain.webhook_delivery import Attempt, Delivery, DeliveryJob
from kasse.domain.webhook_registration import Registration
from kasse.services.ledger_ports import LedgerRepository, PartnerRepository
from kasse.services.read_models import ReadModels
from kasse.services.wallet_ports import ReceiptRepository, StaticQrRepository, UserRepository, WalletRepository


class Clock(Protocol):
    """The current time; injected so tests and the control API can move it."""

    def now(self) -> datetime:
        """Return the current UTC-aware moment."""


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

    def expect(self, msn: str, reference: str) -> None:
        """Say that `get(msn, reference)` follows: a store with round trips fetches it with the next read."""

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

    def append(self, event: PaymentEvent) -> None:
        """Append an event to the global log (its position is the store's to give)."""

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

    def list(self) -> Sequence[Merchant]:
        """Return every sales unit, oldest first (the console lists them)."""
        ...


class OutboxRepository(Protocol):
    """Webhook deliveries waiting to be sent; written in the state change's transaction."""

    def enqueue(self, event: PaymentEvent) -> None:
        """Queue one delivery per registration subscribed to the type of `event`, appended just before."""

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        """Queue a delivery of a non-payment event (e.g. `user.checked-in.v1`) to its subscribers."""

    def enqueue_to(self, webhook_id: str, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        """Queue a delivery to one registration, whatever it subscribes to (a test event); return its id."""


class WebhookRepository(Protocol):
    """Webhook registrations of sales units, each with its subscribed event types."""

    def add(self, registration: Registration) -> None:
        """Store a registration and subscribe it to its events."""

    def list(self, msn: str) -> Sequence[Registration]:
        """Return the sales unit's registrations, oldest first."""

    def get(self, msn: str, webhook_id: str) -> Registration | None:
        """Return the sales unit's registration, or None (another sales unit's included)."""

    def delete(self, msn: str, webhook_id: str) -> None:
        """Remove a registration and its subscriptions."""

    def counts(self, msn: str) -> Mapping[str, int]:
        """Return how many registrations the sales unit has per event type."""


class DeliveryRepository(Protocol):
    """Webhook deliveries in the outbox: claiming them, logging attempts, redelivering."""

    def due(self, now: datetime, limit: int, skip_units: Collection[str] = ()) -> Sequence[tuple[int, str]]:
        """Return (id, sales unit) of sendable deliveries (pending, due, unclaimed, not held) but `skip_units`."""
        ...

    def claim(self, ids: Sequence[int], now: datetime, until: datetime, token: str) -> Sequence[DeliveryJob]:
        """Lease to `token`, until `until`, those of `ids` that are still sendable; return what to send."""
        ...

    def get(self, delivery_id: int) -> Delivery | None:
        """Return a delivery, or None."""
        ...

    def claimed(self, delivery_id: int, token: str) -> Delivery | None:
        """Return the delivery if `token` still holds its claim, else None."""
        ...

    def record(self, delivery: Delivery, attempt: Attempt) -> None:
        """Store the delivery as an attempt left it, release the claim, and log the attempt."""
        ...

    def log_attempt(self, attempt: Attempt) -> None:
        """Log an attempt whose outcome is no longer ours to apply (the claim was lost meanwhile)."""
        ...

    def update(self, delivery: Delivery) -> None:
        """Store a delivery's state and next attempt time (a redelivery or a discard)."""
        ...

    def pending_for(self, webhook_id: str) -> Sequence[Delivery]:
        """Return a registration's pending deliveries."""
        ...

    def hold_successors(self, delivery: Delivery, until: datetime) -> None:
        """Make the pending later deliveries of its payment and registration due no earlier than `until`."""
        ...

    def release_successors(self, delivery: Delivery, now: datetime) -> None:
        """Make the pending later deliveries of its payment and registration due by `now` at the latest."""
        ...


class ClockStateRepository(Protocol):
    """The test clock's state, shared by every process over one database."""

    def load(self, *, for_update: bool = False) -> ClockState | None:
        """Return the stored state (None: never moved), locked when about to change; ValueError if unreadable."""
        ...

    def save(self, state: ClockState) -> None:
        """Store the state for every process."""
        ...


class UnitOfWork(ReadModels, Protocol):
    """One transaction over all repositories, and the read models (`read_models.ReadModels`)."""

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

    @property
    def webhooks(self) -> WebhookRepository:
        """Webhook registrations."""
        ...

    @property
    def deliveries(self) -> DeliveryRepository:
        """Webhook deliveries and their attempts."""
        ...

    @property
    def users(self) -> UserRepository:
        """Wallet test users."""
        ...

    @property
    def wallet(self) -> WalletRepository:
        """Payment requests in wallets and check-ins."""
        ...

    @property
    def static_qrs(self) -> StaticQrRepository:
        """Merchant-redirect and merchant-callback QR codes."""
        ...

    @property
    def receipts(self) -> ReceiptRepository:
        """Receipts and category links of orders."""
        ...

    @property
    def clock_state(self) -> ClockStateRepository:
        """Where the shared test clock stands."""
        ...

    @property
    def ledgers(self) -> LedgerRepository:
        """Settlement ledgers, their entries and payouts."""
        ...

    @property
    def partners(self) -> PartnerRepository:
        """Accounting partners and their grants."""
        ...
