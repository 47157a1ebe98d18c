"""Hand-written fakes of the ports in `kasse.services.ports`, for use-case tests without a database.

The in-memory unit of work writes straight through and never rolls back, so a use case that writes
before it refuses leaves traces a test can see. `InMemoryPayments.update` checks the version like the
SQL repository does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from kasse.domain.events import PaymentEvent
from kasse.domain.merchant import Merchant, hash_secret
from kasse.domain.money import Currency, Market, Money
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName, PaymentState
from kasse.services.faults import MemoryFaultStore as InMemoryFaults  # noqa: F401 - the fakes' name for it
from kasse.services.payment_commands import CreatePayment, UserFlow
from kasse.services.ports import StoredResponse
from tests.ledger_fakes import InMemoryLedgers, InMemoryPartners

EPOCH = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, at: datetime = EPOCH) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at

    def set(self, moment: datetime) -> datetime:
        self.at = moment
        return self.at


class SequentialIds:
    """Predictable, never repeating identifiers: `psp-000001`, `tok-000002`, …"""

    def __init__(self) -> None:
        self.issued = 0

    def _next(self, prefix: str) -> str:
        self.issued += 1
        return f"{prefix}-{self.issued:06d}"

    def psp_reference(self) -> str:
        return self._next("psp")

    def token(self) -> str:
        return self._next("tok")


class DuplicateKeyError(KeyError):
    """A row with this key exists already (the SQL store's unique constraint)."""


class ConcurrentUpdateError(RuntimeError):
    """The stored version is not the one below the update's (the SQL store's optimistic lock)."""


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


class InMemoryMerchants:
    def __init__(self) -> None:
        self.rows: dict[str, Merchant] = {}

    def get(self, msn: str) -> Merchant | None:
        return self.rows.get(msn)

    def list(self) -> list[Merchant]:
        return sorted(self.rows.values(), key=lambda m: (m.created_at, m.msn))

    def by_client_id(self, client_id: str) -> Merchant | None:
        return next((m for m in self.rows.values() if m.client_id == client_id), None)

    def add(self, merchant: Merchant) -> None:
        if merchant.msn in self.rows or self.by_client_id(merchant.client_id) is not None:
            raise DuplicateKeyError(merchant.msn)
        self.rows[merchant.msn] = merchant


@dataclass(frozen=True, slots=True)
class Delivery:
    """One queued webhook delivery, as the SQL outbox would insert it."""

    webhook_id: str
    event_id: int | None  # None for events that are not payment events, such as `user.checked-in.v1`
    event_type: str
    payload: dict[str, object]


@dataclass
class RecordingOutbox:
    """Queues one delivery per registration subscribed to the event's type, and keeps them for asserts."""

    subscriptions: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    appended: int = 0

    def subscribe(self, msn: str, webhook_id: str, event_types: Sequence[str]) -> None:
        for event_type in event_types:
            self.subscriptions.setdefault(msn, {}).setdefault(event_type, []).append(webhook_id)

    def enqueue(self, event: PaymentEvent) -> None:
        self.appended += 1  # the event was appended just before: its position in the log
        self._queue(event.msn, event.name.webhook_event, self.appended, event.to_webhook())

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        return self._queue(msn, event_type, None, payload)

    def _queue(self, msn: str, event_type: str, event_id: int | None, payload: dict[str, object]) -> int:
        hooks = self.subscriptions.get(msn, {}).get(event_type, [])
        self.deliveries.extend(Delivery(h, event_id, event_type, payload) for h in hooks)
        return len(hooks)


class InMemoryUnitOfWork:
    """All repositories in memory; every write is visible at once, nothing is ever rolled back."""

    def __init__(self) -> None:
        self.payments = InMemoryPayments()
        self.events = InMemoryEvents()
        self.idempotency = InMemoryIdempotency()
        self.merchants = InMemoryMerchants()
        self.outbox = RecordingOutbox()
        self.ledgers = InMemoryLedgers()
        self.partners = InMemoryPartners()


# every type a registration can subscribe to: the payment events and the static QR check-in
ALL_EVENT_TYPES = (*(name.webhook_event for name in EventName), "user.checked-in.v1")


def a_merchant(msn: str = "123456", market: Market = Market.NO, **flags: bool) -> Merchant:
    """Return a sales unit with fixed credentials (`secret`, keys `key-1`/`key-2`)."""
    return Merchant(
        msn=msn,
        name=f"shop {msn}",
        market=market,
        client_id=f"client-{msn}",
        client_secret_hash=hash_secret("secret"),
        subscription_key_hashes=(hash_secret("key-1"), hash_secret("key-2")),
        created_at=EPOCH,
        **flags,
    )


def a_create(
    reference: str = "order-0001", value: int = 49900, msn: str = "123456", **changes: Any
) -> CreatePayment:
    """Return a valid QR create command for the NOK sales unit; `changes` replace fields."""
    cmd = CreatePayment(
        msn=msn,
        reference=reference,
        amount=Money(value, Currency.NOK),
        user_flow=UserFlow.QR,
        idempotency_key=None,
    )
    return replace(cmd, **changes)
