"""Webhook registrations, the outbox and its deliveries, in memory.

`InMemoryDeliveries` decides what is sendable with the domain's own rule (`is_sendable`); the SQL
repository expresses the same rule in SQL, and `tests/integration/webhooks/test_webhooks_sql.py` runs the
same scenarios against it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from kasse.domain.events import PaymentEvent
from kasse.domain.webhook_delivery import Attempt, Delivery, DeliveryJob, DeliveryState, is_sendable, same_queue
from kasse.domain.webhook_registration import Registration
from tests.fakes.payments import InMemoryEvents


class InMemoryWebhooks:
    def __init__(self) -> None:
        self.rows: dict[str, Registration] = {}

    def add(self, registration: Registration) -> None:
        self.rows[registration.id] = registration

    def list(self, msn: str) -> Sequence[Registration]:
        return [r for r in self.rows.values() if r.msn == msn]

    def get(self, msn: str, webhook_id: str) -> Registration | None:
        found = self.rows.get(webhook_id)
        return found if found and found.msn == msn else None

    def delete(self, msn: str, webhook_id: str) -> None:
        if self.get(msn, webhook_id):
            del self.rows[webhook_id]

    def counts(self, msn: str) -> Mapping[str, int]:
        counts: dict[str, int] = {}
        for r in self.list(msn):
            for e in r.events:
                counts[e] = counts.get(e, 0) + 1
        return counts


@dataclass(frozen=True, slots=True)
class Queued:
    """What the outbox queued, for asserts: to which registration, for which logged event, with what body."""

    webhook_id: str
    event_id: int | None  # the event's log position; None for `user.checked-in.v1`, which is no payment event
    event_type: str
    payload: dict[str, Any]


@dataclass
class InMemoryDeliveries:
    webhooks: InMemoryWebhooks
    rows: dict[int, Delivery] = field(default_factory=dict)
    payloads: dict[int, bytes] = field(default_factory=dict)
    event_ids: dict[int, int | None] = field(default_factory=dict)
    delivered_at: dict[int, datetime] = field(default_factory=dict)
    claims: dict[int, tuple[str, datetime]] = field(default_factory=dict)
    attempts: list[Attempt] = field(default_factory=list)

    def insert(self, webhook_id: str, msn: str, reference: str | None, event_type: str, payload: bytes,
               at: datetime, event_id: int | None = None) -> None:
        new_id = len(self.rows) + 1
        self.rows[new_id] = Delivery(new_id, webhook_id, msn, reference, event_type, DeliveryState.PENDING, 0, at, at)
        self.payloads[new_id] = payload
        self.event_ids[new_id] = event_id

    def queued(self) -> list[Queued]:
        """Return every delivery ever queued, oldest first."""
        return [Queued(d.webhook_id, self.event_ids[i], d.event_type, orjson.loads(self.payloads[i]))
                for i, d in sorted(self.rows.items())]

    def _free(self, delivery_id: int, now: datetime) -> bool:
        claim = self.claims.get(delivery_id)
        return claim is None or claim[1] <= now

    def due(self, now: datetime, limit: int, skip_units: Collection[str] = ()) -> Sequence[tuple[int, str]]:
        ordered = sorted(self.rows.values(), key=lambda d: (d.next_attempt_at, d.id))
        found = [(d.id, d.msn) for d in ordered if d.webhook_id in self.webhooks.rows and self._free(d.id, now)
                 and d.msn not in skip_units and is_sendable(d, self.rows.values(), now)]
        return found[:limit]

    def claim(self, ids: Sequence[int], now: datetime, until: datetime, token: str) -> Sequence[DeliveryJob]:
        sendable = {delivery_id for delivery_id, _ in self.due(now, len(self.rows))}
        jobs = []
        for i in sorted(set(ids) & sendable):
            self.claims[i] = (token, until)
            d, hook = self.rows[i], self.webhooks.rows[self.rows[i].webhook_id]
            jobs.append(DeliveryJob(i, token, hook.url, hook.secret, self.payloads[i], d.attempts + 1, d.msn,
                                    d.reference))
        return jobs

    def get(self, delivery_id: int) -> Delivery | None:
        return self.rows.get(delivery_id)

    def claimed(self, delivery_id: int, token: str) -> Delivery | None:
        claim = self.claims.get(delivery_id)
        return self.rows[delivery_id] if claim and claim[0] == token else None

    def record(self, delivery: Delivery, attempt: Attempt) -> None:
        self.rows[delivery.id] = delivery
        if delivery.state is DeliveryState.DELIVERED:
            self.delivered_at[delivery.id] = attempt.recorded_at
        self.claims.pop(delivery.id, None)
        self.log_attempt(attempt)

    def log_attempt(self, attempt: Attempt) -> None:
        self.attempts.append(attempt)

    def update(self, delivery: Delivery) -> None:
        self.rows[delivery.id] = delivery

    def pending_for(self, webhook_id: str) -> Sequence[Delivery]:
        return [d for d in self.rows.values() if d.webhook_id == webhook_id and d.state is DeliveryState.PENDING]

    def _successors(self, delivery: Delivery) -> list[Delivery]:
        return [d for d in self.rows.values() if d.id > delivery.id and d.state is DeliveryState.PENDING
                and same_queue(delivery, d)]

    def hold_successors(self, delivery: Delivery, until: datetime) -> None:
        for d in self._successors(delivery):
            self.rows[d.id] = replace(d, next_attempt_at=max(d.next_attempt_at, until))

    def release_successors(self, delivery: Delivery, now: datetime) -> None:
        for d in self._successors(delivery):
            self.rows[d.id] = replace(d, next_attempt_at=min(d.next_attempt_at, now))


class InMemoryOutbox:
    """Queues one delivery per registration subscribed to an event's type, as the SQL outbox's INSERT … SELECT."""

    def __init__(self, webhooks: InMemoryWebhooks, deliveries: InMemoryDeliveries, events: InMemoryEvents) -> None:
        self.webhooks = webhooks
        self.deliveries = deliveries
        self.events = events

    def _subscribers(self, msn: str, event_type: str) -> list[str]:
        return [r.id for r in self.webhooks.list(msn) if event_type in r.events]

    def enqueue(self, event: PaymentEvent) -> None:
        position = len(self.events.log)  # the event was appended just before
        for hook in self._subscribers(event.msn, event.name.webhook_event):
            self.deliveries.insert(hook, event.msn, event.reference, event.name.webhook_event,
                                   orjson.dumps(event.to_webhook()), event.timestamp, position)

    def enqueue_raw(self, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        hooks = self._subscribers(msn, event_type)
        for hook in hooks:
            self.deliveries.insert(hook, msn, None, event_type, orjson.dumps(payload), at)
        return len(hooks)

    def enqueue_to(self, webhook_id: str, msn: str, event_type: str, payload: dict[str, object], at: datetime) -> int:
        self.deliveries.insert(webhook_id, msn, None, event_type, orjson.dumps(payload), at)
        return len(self.deliveries.rows)
