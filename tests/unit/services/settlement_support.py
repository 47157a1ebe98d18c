"""Driving the settlement use cases with fakes: a sales unit, its captures and refunds, closings at given moments."""

from __future__ import annotations

from datetime import UTC, datetime

from kasse.domain.events import PaymentEvent
from kasse.domain.ledger import Ledger, LedgerEntry, Topic
from kasse.domain.money import Currency, Market, Money
from kasse.domain.payment_state import EventName
from kasse.services.faults import FaultBoard
from kasse.services.ledger_booking import open_ledger
from kasse.services.ledger_closing import ClosedDate, close_ledger
from kasse.services.ledger_settings import TermsChange, change_terms
from kasse.services.recording import record
from tests.fakes import InMemoryUnitOfWork, a_merchant

MSN = "123456"


class Book:
    """One sales unit's ledger in memory, and the events that feed it."""

    def __init__(self, opened: datetime, market: Market = Market.NO, **terms: object) -> None:
        self.uow = InMemoryUnitOfWork()
        merchant = a_merchant(MSN, market)
        self.uow.merchants.add(merchant)
        self.currency = merchant.currency
        self.ledger_id = open_ledger(self.uow, merchant, opened).ledger_id
        if terms:
            change_terms(self.uow, MSN, TermsChange(**terms))  # type: ignore[arg-type]
        self.count = 0

    def _event(self, name: EventName, reference: str, amount: int, at: datetime) -> PaymentEvent:
        self.count += 1
        return PaymentEvent(MSN, reference, f"psp-{self.count:04d}", name, Money(amount, Currency(self.currency)), at,
                            None)

    def capture(self, reference: str, amount: int, at: datetime) -> PaymentEvent:
        event = self._event(EventName.CAPTURED, reference, amount, at)
        record(self.uow, event)
        return event

    def refund(self, reference: str, amount: int, at: datetime) -> PaymentEvent:
        event = self._event(EventName.REFUNDED, reference, amount, at)
        record(self.uow, event)
        return event

    def other(self, name: EventName, reference: str, amount: int, at: datetime) -> None:
        record(self.uow, self._event(name, reference, amount, at))

    def close(self, now: datetime, board: FaultBoard | None = None) -> list[ClosedDate]:
        return close_ledger(self.uow, self.ledger_id, now, board)

    @property
    def ledger(self) -> Ledger:
        found = self.uow.ledgers.get(self.ledger_id)
        assert found is not None
        return found

    def entries(self, topic: Topic) -> list[LedgerEntry]:
        return list(self.uow.ledgers.entries(self.ledger_id, topic, after=0, limit=100_000))


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def chain(entries: list[LedgerEntry]) -> list[int]:
    """Return the balances an entry list walks through, checking that each entry starts where the last ended."""
    balances = [entries[0].balance_before] if entries else [0]
    for entry in entries:
        assert entry.balance_before == balances[-1], entry
        assert entry.balance_after == entry.balance_before + entry.amount
        balances.append(entry.balance_after)
    return balances
