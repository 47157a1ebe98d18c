"""Driving the payment use cases over the fakes: one sales unit, its payments, refusals that write nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.money import Currency, Money
from kasse.domain.payment import Payment
from kasse.domain.payment_state import EventName
from kasse.services import payments as use
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from tests.fakes import ALL_EVENT_TYPES, FakeClock, InMemoryUnitOfWork, SequentialIds, a_create, a_merchant, subscribe

MSN = "123456"


class Shop:
    """A sales unit's payments in memory, as its POS would drive them through the API's use cases."""

    def __init__(self, **flags: bool) -> None:
        self.uow = InMemoryUnitOfWork()
        self.clock = FakeClock()
        self.ids = SequentialIds()
        self.uow.merchants.add(a_merchant(MSN, **flags))
        subscribe(self.uow, MSN, "hook-1", ALL_EVENT_TYPES)
        self.keys = 0

    def _key(self, op: str) -> str:
        self.keys += 1
        return f"{op}-{self.keys}"

    def create(self, reference: str, value: int = 10000, token: str | None = None, **changes: Any) -> Payment:
        return use.create_payment(self.uow, self.clock, self.ids, a_create(reference, value, MSN, **changes), token)

    def approve(self, reference: str) -> Payment:
        return use.approve_payment(self.uow, self.clock, self.ids, self.load(reference))

    def authorized(self, reference: str, value: int = 10000) -> Payment:
        self.create(reference, value, idempotency_key=f"key-{reference}")
        return self.approve(reference)

    def capture(self, reference: str, value: int, currency: Currency = Currency.NOK, key: str | None = None) -> Payment:
        cmd = ModifyPayment(MSN, reference, Money(value, currency), key or self._key("capture"))
        return use.capture_payment(self.uow, self.clock, self.ids, cmd)

    def refund(self, reference: str, value: int, currency: Currency = Currency.NOK, key: str | None = None) -> Payment:
        cmd = ModifyPayment(MSN, reference, Money(value, currency), key or self._key("refund"))
        return use.refund_payment(self.uow, self.clock, self.ids, cmd)

    def cancel(self, reference: str, transaction_only: bool = False) -> Payment:
        cmd = CancelPayment(MSN, reference, self._key("cancel"), transaction_only)
        return use.cancel_payment(self.uow, self.clock, self.ids, cmd)

    def load(self, reference: str) -> Payment:
        return use.load(self.uow, MSN, reference)

    def names(self, reference: str) -> list[EventName]:
        return [e.name for e in self.uow.events.list(MSN, reference)]

    def aggregate(self, reference: str) -> tuple[int, int, int, int]:
        """Return (authorized, captured, cancelled, refunded) of the stored payment."""
        p = self.load(reference)
        return p.authorized, p.captured, p.cancelled, p.refunded

    def written(self) -> tuple[object, ...]:
        """Everything a use case can write, to compare before and after a refusal."""
        uow = self.uow
        return dict(uow.payments.rows), len(uow.events.log), len(uow.deliveries.rows), dict(uow.idempotency.stored)

    def refusal(self, act: Callable[[], object]) -> ErrorCode:
        """Run `act`, which must be refused without writing anything; return the refusal's code."""
        before = self.written()
        with pytest.raises(DomainError) as refused:
            act()
        assert self.written() == before, "a refused operation wrote something"
        return refused.value.code
