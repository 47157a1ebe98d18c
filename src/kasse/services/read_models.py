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


class EventFeed(Protocol):
    """The payment event log in the order it was written, by position."""

    def since(self, msn: str, after: int, limit: int = 500) -> Sequence[tuple[int, PaymentEvent]]:
        """Return the sales unit's events after log position `after`, in order, with their positions."""
        ...

    def last_position(self) -> int:
        """Return the position of the newest event in the log (0 when empty)."""
        ...
