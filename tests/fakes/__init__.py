"""Hand-written fakes of the ports in `kasse.services`, for use-case tests without a database.

One `InMemoryUnitOfWork` holds every repository; the modules are split by what they store. Import
from here: `from tests.fakes import InMemoryUnitOfWork, FakeClock, SequentialIds, a_merchant`.
(The SDK's own tests have a different `FakeClock`, of epoch seconds that move when slept on, and a
scripted HTTP API in `tests/unit/sdk/fakes.py`; those fake the network, not the ports.)
"""

from kasse.services.faults import MemoryFaultStore as InMemoryFaults
from tests.fakes.builders import ALL_EVENT_TYPES, a_create, a_merchant, subscribe
from tests.fakes.clock import EPOCH, FakeClock, InMemoryClockState
from tests.fakes.ids import SequentialIds
from tests.fakes.ledgers import InMemoryLedgers, InMemoryPartners
from tests.fakes.merchants import InMemoryMerchants
from tests.fakes.payments import InMemoryEvents, InMemoryIdempotency, InMemoryPayments
from tests.fakes.read_models import InMemoryDeliveryLog, InMemoryEventFeed, InMemoryPaymentList, InMemoryRequestLog
from tests.fakes.store_errors import ConcurrentUpdateError, DuplicateKeyError, DuplicatePositionError
from tests.fakes.unit_of_work import InMemoryUnitOfWork
from tests.fakes.wallet import InMemoryReceipts, InMemoryStaticQrs, InMemoryUsers, InMemoryWallet
from tests.fakes.webhooks import InMemoryDeliveries, InMemoryOutbox, InMemoryWebhooks, Queued

__all__ = [
    "ALL_EVENT_TYPES",
    "EPOCH",
    "ConcurrentUpdateError",
    "DuplicateKeyError",
    "DuplicatePositionError",
    "FakeClock",
    "InMemoryClockState",
    "InMemoryDeliveries",
    "InMemoryDeliveryLog",
    "InMemoryEventFeed",
    "InMemoryEvents",
    "InMemoryFaults",
    "InMemoryIdempotency",
    "InMemoryLedgers",
    "InMemoryMerchants",
    "InMemoryOutbox",
    "InMemoryPartners",
    "InMemoryPaymentList",
    "InMemoryPayments",
    "InMemoryReceipts",
    "InMemoryRequestLog",
    "InMemoryStaticQrs",
    "InMemoryUnitOfWork",
    "InMemoryUsers",
    "InMemoryWallet",
    "InMemoryWebhooks",
    "Queued",
    "SequentialIds",
    "a_create",
    "a_merchant",
    "subscribe",
]
