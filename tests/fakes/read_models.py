"""The read models (`kasse.services.read_models`) over the in-memory repositories they summarise."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from kasse.domain.events import PaymentEvent
from kasse.domain.payment import Payment
from kasse.services.read_models import (
    DeliveryRecord,
    PaymentFilter,
    PaymentKey,
    PaymentPage,
    RequestRecord,
)
from tests.fakes.payments import InMemoryEvents, InMemoryPayments
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


class InMemoryRequestLog:
    """The request log in a list; ids are positions from 1."""

    def __init__(self) -> None:
        self.records: list[RequestRecord] = []

    def append(self, records: Sequence[RequestRecord]) -> None:
        start = self.records[-1].id if self.records else 0
        self.records.extend(replace(r, id=start + i) for i, r in enumerate(records, 1))

    def prune(self, *, keep: int, recorded_before: datetime) -> None:
        self.records = [r for r in self.records if r.at >= recorded_before][-keep:]

    def search(self, *, msn: str | None = None, reference: str | None = None, status: str | None = None,
               after: int = 0, before: int | None = None, limit: int = 100) -> Sequence[RequestRecord]:
        def wanted(r: RequestRecord) -> bool:
            code = str(r.status)
            return ((msn is None or r.msn == msn) and (reference is None or r.reference == reference)
                    and (status is None or code == status or (status.endswith("xx") and code[0] == status[0]))
                    and r.id > after and (before is None or r.id < before))
        found = [r for r in self.records if wanted(r)]
        return found[:limit] if after else found[-limit:]


class InMemoryPaymentList:
    """Every sales unit's payments, newest first, filtered by the list's rules over the in-memory payments."""

    def __init__(self, payments: InMemoryPayments, events: InMemoryEvents) -> None:
        self.payments, self.events = payments, events

    def _matches(self, p: Payment, where: PaymentFilter) -> bool:
        text = where.text
        by_text = text is None or p.reference.startswith(text) or any(
            e.psp_reference == text and (e.msn, e.reference) == (p.msn, p.reference) for e in self.events.log)
        return ((where.msn is None or p.msn == where.msn) and (where.state is None or p.state.value == where.state)
                and by_text and (where.since is None or p.created_at >= where.since)
                and (where.until is None or p.created_at < where.until))

    def page(self, where: PaymentFilter, *, older_than: PaymentKey | None = None,
             newer_than: PaymentKey | None = None, limit: int = 50) -> PaymentPage:
        def key(p: Payment) -> PaymentKey:
            return PaymentKey(p.created_at, p.msn, p.reference)
        found = sorted((p for p in self.payments.rows.values() if self._matches(p, where)), key=key, reverse=True)
        if older_than is not None:
            found = [p for p in found if key(p) < older_than]
        if newer_than is not None:
            found = [p for p in found if key(p) > newer_than][-limit:]
        shown = found[:limit]
        newer = key(shown[0]) if shown and (older_than is not None or newer_than is not None) else None
        older = key(shown[-1]) if len(found) > limit or (newer_than is not None and shown) else None
        return PaymentPage(shown, newer, older)
