from datetime import timedelta
from typing import Any

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.money import Currency, Money
from kasse.domain.payment import DEFAULT_LIFETIME
from kasse.domain.payment_state import EventName, PaymentState
from kasse.services import payments as use
from kasse.services.expiry import expire_due_payments
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from tests.fakes import (
    ALL_EVENT_TYPES,
    EPOCH,
    FakeClock,
    InMemoryUnitOfWork,
    SequentialIds,
    a_create,
    a_merchant,
    subscribe,
)

MSN = "123456"


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant(MSN))
    subscribe(uow, MSN, "hook-1", ALL_EVENT_TYPES)
    return uow


def create(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, reference: str, **changes: Any) -> None:
    use.create_payment(uow, clock, ids, a_create(reference, **changes), None)


def state(uow: InMemoryUnitOfWork, reference: str) -> PaymentState:
    return use.load(uow, MSN, reference).state


def test_only_unanswered_payments_past_their_deadline_expire(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "due-000001")
    create(uow, clock, ids, "approved-01")
    use.approve_payment(uow, clock, ids, use.load(uow, MSN, "approved-01"))
    create(uow, clock, ids, "long-living", expires_at=EPOCH + timedelta(days=1), has_receipt=True)
    clock.advance(timedelta(minutes=5))
    create(uow, clock, ids, "not-yet-due")
    clock.set(EPOCH + DEFAULT_LIFETIME)

    moved = expire_due_payments(uow, clock, ids)

    assert moved == 1
    assert [state(uow, r) for r in ("due-000001", "approved-01", "long-living", "not-yet-due")] == [
        PaymentState.EXPIRED, PaymentState.AUTHORIZED, PaymentState.CREATED, PaymentState.CREATED,
    ]
    expired = uow.events.list(MSN, "due-000001")[-1]
    assert (expired.name, expired.timestamp, expired.idempotency_key) == (EventName.EXPIRED, clock.now(), None)
    assert uow.deliveries.queued()[-1].event_type == "epayments.payment.expired.v1"


def test_a_payment_one_moment_before_its_deadline_stays(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "order-0001")
    clock.advance(DEFAULT_LIFETIME - timedelta(microseconds=1))

    assert expire_due_payments(uow, clock, ids) == 0
    assert state(uow, "order-0001") is PaymentState.CREATED


def test_at_most_limit_payments_move_per_sweep_oldest_deadline_first(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    references = [f"order-000{i}" for i in range(5)]
    for reference in reversed(references):
        create(uow, clock, ids, reference)
        clock.advance(timedelta(seconds=-1))
    clock.set(EPOCH + timedelta(hours=1))

    first = expire_due_payments(uow, clock, ids, limit=2)
    states_after_first = [state(uow, r) for r in references]
    second = expire_due_payments(uow, clock, ids, limit=2)

    assert (first, second) == (2, 2)
    assert states_after_first == [PaymentState.EXPIRED] * 2 + [PaymentState.CREATED] * 3
    assert [state(uow, r) for r in references] == [PaymentState.EXPIRED] * 4 + [PaymentState.CREATED]


def test_a_second_sweep_finds_nothing_left(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
    create(uow, clock, ids, "order-0001")
    clock.advance(timedelta(days=1))
    expire_due_payments(uow, clock, ids)
    events = len(uow.events.log)

    assert expire_due_payments(uow, clock, ids) == 0
    assert len(uow.events.log) == events


def test_an_expired_payment_can_no_longer_be_approved(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "order-0001")
    clock.advance(DEFAULT_LIFETIME)
    expire_due_payments(uow, clock, ids)

    with pytest.raises(DomainError) as refused:
        use.approve_payment(uow, clock, ids, use.load(uow, MSN, "order-0001"))

    assert refused.value.code is ErrorCode.APPROVE_FAILED


def test_a_long_living_payment_expires_at_its_expires_at_not_after_ten_minutes(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "long-living", expires_at=EPOCH + timedelta(hours=2), has_receipt=True)
    clock.advance(timedelta(hours=2) - timedelta(seconds=1))
    waiting = (expire_due_payments(uow, clock, ids), state(uow, "long-living"))
    clock.advance(timedelta(seconds=1))

    assert waiting == (0, PaymentState.CREATED)
    assert expire_due_payments(uow, clock, ids) == 1
    assert state(uow, "long-living") is PaymentState.EXPIRED


def test_a_cancelled_payment_never_expires(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
    create(uow, clock, ids, "order-0001")
    use.cancel_payment(uow, clock, ids, CancelPayment(MSN, "order-0001", None, False))
    clock.advance(timedelta(hours=1))

    assert expire_due_payments(uow, clock, ids) == 0
    assert [e.name for e in uow.events.list(MSN, "order-0001")] == [EventName.CREATED, EventName.TERMINATED]


def test_an_expired_payment_keeps_its_amount_and_reserves_nothing(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "order-0001", value=10000)
    clock.advance(DEFAULT_LIFETIME)
    expire_due_payments(uow, clock, ids)

    payment = use.load(uow, MSN, "order-0001")
    [_, expired] = uow.events.list(MSN, "order-0001")
    assert (payment.authorized, payment.captured, payment.cancelled, payment.refunded) == (0, 0, 0, 0)
    assert (expired.amount.value, expired.psp_reference != payment.psp_reference) == (10000, True)


def test_an_authorized_payment_can_still_be_captured_after_its_deadline(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    create(uow, clock, ids, "order-0001", value=10000)
    use.approve_payment(uow, clock, ids, use.load(uow, MSN, "order-0001"))
    clock.advance(timedelta(minutes=15))
    expire_due_payments(uow, clock, ids)

    done = use.capture_payment(uow, clock, ids, ModifyPayment(MSN, "order-0001", Money(10000, Currency.NOK), "c-1"))

    assert (done.state, done.captured) == (PaymentState.AUTHORIZED, 10000)


@pytest.mark.parametrize(
    ("act", "code"),
    [(lambda u, c, i, cmd: use.capture_payment(u, c, i, cmd), ErrorCode.CANNOT_BE_CAPTURED),
     (lambda u, c, i, cmd: use.refund_payment(u, c, i, cmd), ErrorCode.CANNOT_BE_REFUNDED),
     (lambda u, c, i, cmd: use.cancel_payment(u, c, i, CancelPayment(MSN, cmd.reference, None, False)),
      ErrorCode.CANNOT_BE_CANCELLED)],
    ids=["capture", "refund", "cancel"],
)
def test_an_expired_payment_can_no_longer_be_captured_refunded_or_cancelled(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, act: Any, code: ErrorCode
) -> None:
    create(uow, clock, ids, "order-0001")
    clock.advance(DEFAULT_LIFETIME)
    expire_due_payments(uow, clock, ids)

    with pytest.raises(DomainError) as refused:
        act(uow, clock, ids, ModifyPayment(MSN, "order-0001", Money(1000, Currency.NOK), "k-1"))

    assert refused.value.code is code
    assert state(uow, "order-0001") is PaymentState.EXPIRED
