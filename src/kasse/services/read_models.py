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
