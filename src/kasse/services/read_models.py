"""Read models: what the control plane and the console show, read through ports like everything else.

They change nothing, so they need no use case; a page or a stream asks the unit of work for them
instead of reaching past it into SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kasse.domain.events import PaymentEvent
from kasse.domain.payment import Payment
from kasse.domain.webhook_delivery import Attempt, Delivery


@dataclass(frozen=True, slots=True)
class DeliveryRecord:
    """A delivery as the control plane shows it: the delivery, its payload and every attempt."""

    delivery: Delivery
    payload: bytes
    delivered_at: datetime | None
    url: str | None
    attempts: list[Attempt] = field(default_factory=list)


class DeliveryLog(Protocol):
    """The webhook deliveries with their attempts, newest first."""

    def history(self, *, reference: str | None = None, msn: str | None = None, delivery_id: int | None = None,
                limit: int = 100) -> Sequence[DeliveryRecord]:
        """Return deliveries filtered by payment reference, sales unit or id, each with its attempts."""
        ...


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One API request as the request log keeps it: who, about which payment, how it went, and redacted bodies.

    `id` orders the log (0 until stored); `at` is on kasse's clock, like the payment's events, so a timeline
    can merge them; headers and bodies hold no secret (domain.request_redaction) and at most a few KiB.
    """

    id: int
    at: datetime
    method: str
    path: str
    query: str
    status: int
    duration_ms: float
    msn: str | None
    reference: str | None
    idempotency_key: str | None
    request_headers: dict[str, str]
    request_body: str
    response_body: str


# status classes the log can be filtered by: "4xx" is 400-499, "200" is exactly 200
STATUS_CLASSES = ("2xx", "3xx", "4xx", "5xx")


class RequestLog(Protocol):
    """The recorded API requests, by id; a bounded log (count and age), pruned by its writer."""

    def search(self, *, msn: str | None = None, reference: str | None = None, status: str | None = None,
               after: int = 0, before: int | None = None, limit: int = 100) -> Sequence[RequestRecord]:
        """Return matching requests in ascending id, newest last.

        With `after` (an id cursor) the first `limit` after it; else the newest `limit`, below `before` if given.
        `status` is a class (`"4xx"`) or an exact code (`"200"`).
        """
        ...

    def append(self, records: Sequence[RequestRecord]) -> None:
        """Store requests (their `id` is ignored: the log gives each its own)."""
        ...

    def prune(self, *, keep: int, recorded_before: datetime) -> None:
        """Drop all but the newest `keep` requests, and every request recorded before `recorded_before`."""
        ...


class EventFeed(Protocol):
    """The payment event log in the order it was written, by position."""

    def since(self, msn: str, after: int, limit: int = 500) -> Sequence[tuple[int, PaymentEvent]]:
        """Return the sales unit's events after log position `after`, in order, with their positions."""
        ...

    def last_position(self) -> int:
        """Return the position of the newest event in the log (0 when empty)."""
        ...


@dataclass(frozen=True, slots=True)
class PaymentFilter:
    """Which payments a list shows; None means any. `text` is a reference's start or a whole pspReference."""

    msn: str | None = None
    state: str | None = None
    text: str | None = None
    since: datetime | None = None  # created at or after
    until: datetime | None = None  # created before


@dataclass(frozen=True, slots=True, order=True)
class PaymentKey:
    """A payment's place in the list (newest first): its creation, then its sales unit and reference."""

    created_at: datetime
    msn: str
    reference: str


@dataclass(frozen=True, slots=True)
class PaymentPage:
    """One page of payments, newest first, with the keys to page on (None where there is nothing more)."""

    payments: Sequence[Payment]
    newer: PaymentKey | None  # show the page before this one: what is newer than this key
    older: PaymentKey | None  # show the page after this one: what is older than this key


class PaymentList(Protocol):
    """Every sales unit's payments, newest first, paged on `PaymentKey` so a page costs what it shows."""

    def page(self, where: PaymentFilter, *, older_than: PaymentKey | None = None,
             newer_than: PaymentKey | None = None, limit: int = 50) -> PaymentPage:
        """Return up to `limit` payments matching `where` older (or newer) than the key, newest first."""
        ...


class ReadModels(Protocol):
    """The read models a unit of work offers besides its repositories (`ports.UnitOfWork` has them all)."""

    @property
    def delivery_log(self) -> DeliveryLog:
        """The webhook deliveries with their attempts."""
        ...

    @property
    def event_feed(self) -> EventFeed:
        """The payment event log by position."""
        ...

    @property
    def payment_list(self) -> PaymentList:
        """Every sales unit's payments, newest first, filtered and paged."""
        ...

    @property
    def request_log(self) -> RequestLog:
        """The recorded API requests (its recorder writes them)."""
        ...
