"""The read models (`kasse.services.read_models`) over the in-memory repositories they summarise."""

from __future__ import annotations

from collections.abc import Sequence

from kasse.domain.events import PaymentEvent
from kasse.services.read_models import DeliveryRecord
from tests.fakes.payments import InMemoryEvents
from tests.fakes.webhooks import InMemoryDeliveries, InMemoryWebhooks


class InMemoryDeliveryLog:
    def __init__(self, webhooks: InMemoryWebhooks, deliveries: InMemoryDeliveries) -> None:
        self.webhooks = webhooks
        self.deliveries = deliveries

    def history(self, *, reference: str | None = None, msn: str | None = None, delivery_id: int | None = None,
                limit: int = 100) -> Sequence[DeliveryRecord]:
        found = [d for i, d in sorted(self.deliveries.rows.items(), reverse=True)
                 if reference in (None, d.reference) and msn in (None, d.msn) and delivery_id in (None, i)]
        return [self._record(d.id) for d in found[:limit]]

    def _record(self, delivery_id: int) -> DeliveryRecord:
        d = self.deliveries.rows[delivery_id]
        hook = self.webhooks.rows.get(d.webhook_id)
        return DeliveryRecord(d, self.deliveries.payloads[d.id], self.deliveries.delivered_at.get(d.id),
                              hook.url if hook else None,
                              [a for a in self.deliveries.attempts if a.delivery_id == d.id])


class InMemoryEventFeed:
    def __init__(self, events: InMemoryEvents) -> None:
        self.events = events

    def since(self, msn: str, after: int, limit: int = 500) -> Sequence[tuple[int, PaymentEvent]]:
        found = [(i, e) for i, e in enumerate(self.events.log, start=1) if i > after and e.msn == msn]
        return found[:limit]

    def last_position(self) -> int:
        return len(self.events.log)
