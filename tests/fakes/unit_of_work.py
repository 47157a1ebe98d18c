"""The one in-memory unit of work of the use-case tests: every repository of `kasse.services.ports.UnitOfWork`.

Writes go straight through and nothing is ever rolled back, so a use case that writes before it
refuses leaves traces a test can see. `tests/unit/services/test_fakes.py` checks that it keeps up with
the ports.
"""

from __future__ import annotations

from tests.fakes.clock import InMemoryClockState
from tests.fakes.ledgers import InMemoryLedgers, InMemoryPartners
from tests.fakes.merchants import InMemoryMerchants
from tests.fakes.payments import InMemoryEvents, InMemoryIdempotency, InMemoryPayments
from tests.fakes.read_models import InMemoryDeliveryLog, InMemoryEventFeed, InMemoryPaymentList, InMemoryRequestLog
from tests.fakes.wallet import InMemoryReceipts, InMemoryStaticQrs, InMemoryUsers, InMemoryWallet
from tests.fakes.webhooks import InMemoryDeliveries, InMemoryOutbox, InMemoryWebhooks


class InMemoryUnitOfWork:
    """All repositories in memory; every write is visible at once, nothing is ever rolled back."""

    def __init__(self) -> None:
        self.payments = InMemoryPayments()
        self.events = InMemoryEvents()
        self.idempotency = InMemoryIdempotency()
        self.merchants = InMemoryMerchants()
        self.webhooks = InMemoryWebhooks()
        self.deliveries = InMemoryDeliveries(self.webhooks)
        self.outbox = InMemoryOutbox(self.webhooks, self.deliveries, self.events)
        self.users = InMemoryUsers()
        self.wallet = InMemoryWallet(self.payments)
        self.static_qrs = InMemoryStaticQrs()
        self.receipts = InMemoryReceipts()
        self.clock_state = InMemoryClockState()
        self.delivery_log = InMemoryDeliveryLog(self.webhooks, self.deliveries)
        self.event_feed = InMemoryEventFeed(self.events)
        self.payment_list = InMemoryPaymentList(self.payments, self.events)
        self.request_log = InMemoryRequestLog()
        self.ledgers = InMemoryLedgers()
        self.partners = InMemoryPartners()
