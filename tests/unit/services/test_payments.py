from collections.abc import Callable
from datetime import timedelta

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.money import Currency, Money
from kasse.domain.payment import DEFAULT_LIFETIME, Payment
from kasse.domain.payment_state import EventName, PaymentState
from kasse.services import payments as use
from kasse.services.payment_commands import CancelPayment, CreatePayment, ModifyPayment
from kasse.services.recording import record_check_in
from tests.fakes import (
    ALL_EVENT_TYPES,
    EPOCH,
    ConcurrentUpdateError,
    FakeClock,
    InMemoryUnitOfWork,
    Queued,
    SequentialIds,
    a_create,
    a_merchant,
    subscribe,
)

MSN, REF, AMOUNT = "123456", "order-0001", 49900


@pytest.fixture
def uow() -> InMemoryUnitOfWork:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant(MSN))
    uow.merchants.add(a_merchant("654321", partial_capture_allowed=False))
    subscribe(uow, MSN, "hook-1", ALL_EVENT_TYPES)
    return uow


def nok(value: int) -> Money:
    return Money(value, Currency.NOK)


def written(uow: InMemoryUnitOfWork) -> tuple[object, ...]:
    """Everything a use case can write, to compare before and after a refusal."""
    return (dict(uow.payments.rows), len(uow.events.log), len(uow.deliveries.queued()), dict(uow.idempotency.stored))


def refusal(uow: InMemoryUnitOfWork, act: Callable[[], object]) -> ErrorCode:
    before = written(uow)
    with pytest.raises(DomainError) as refused:
        act()
    assert written(uow) == before, "a refused operation wrote something"
    return refused.value.code


def names(uow: InMemoryUnitOfWork, msn: str = MSN, reference: str = REF) -> list[EventName]:
    return [e.name for e in uow.events.list(msn, reference)]


@pytest.fixture
def approved(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> Payment:
    payment = use.create_payment(uow, clock, ids, a_create(REF, AMOUNT, idempotency_key="key-create"), "tok-x")
    return use.approve_payment(uow, clock, ids, payment)


def capture(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, value: int, msn: str = MSN) -> Payment:
    return use.capture_payment(uow, clock, ids, ModifyPayment(msn, REF, nok(value), f"cap-{value}"))


def refund(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, value: int) -> Payment:
    return use.refund_payment(uow, clock, ids, ModifyPayment(MSN, REF, nok(value), f"ref-{value}"))


def cancel(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, transaction_only: bool = False) -> Payment:
    return use.cancel_payment(uow, clock, ids, CancelPayment(MSN, REF, "key-cancel", transaction_only))


def test_creating_stores_the_payment_its_event_and_its_webhook(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    payment = use.create_payment(uow, clock, ids, a_create(REF, AMOUNT, wire={"userFlow": "QR"}), "tok-x")

    assert uow.payments.get(MSN, REF) == payment == uow.payments.get_by_token("tok-x")
    assert (payment.state, payment.expires_at, payment.details) == (
        PaymentState.CREATED, clock.now() + DEFAULT_LIFETIME, {"userFlow": "QR"},
    )
    [event] = uow.events.list(MSN, REF)
    assert (event.name, event.psp_reference, event.amount) == (EventName.CREATED, payment.psp_reference, nok(AMOUNT))
    assert uow.deliveries.queued() == [Queued("hook-1", 1, "epayments.payment.created.v1", event.to_webhook())]


@pytest.mark.parametrize(
    ("cmd", "code"),
    [(a_create(REF, 100), ErrorCode.REFERENCE_EXISTS), (a_create("order-0002", 99), ErrorCode.AMOUNT_TOO_SMALL)],
    ids=["taken-reference", "broken-rule"],
)
def test_a_refused_create_stores_nothing(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, cmd: CreatePayment, code: ErrorCode
) -> None:
    use.create_payment(uow, clock, ids, a_create(REF), None)

    assert refusal(uow, lambda: use.create_payment(uow, clock, ids, cmd, None)) is code


def test_a_reference_used_by_a_finished_payment_stays_taken(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    use.create_payment(uow, clock, ids, a_create(REF), None)
    cancel(uow, clock, ids)

    assert refusal(uow, lambda: use.create_payment(uow, clock, ids, a_create(REF), None)) is ErrorCode.REFERENCE_EXISTS
    assert use.load(uow, MSN, REF).state is PaymentState.TERMINATED


def test_two_sales_units_may_use_the_same_reference(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    use.create_payment(uow, clock, ids, a_create(REF), None)
    other = use.create_payment(uow, clock, ids, a_create(REF, msn="654321"), None)

    assert uow.payments.get("654321", REF) == other
    assert names(uow, "654321") == [EventName.CREATED]


def test_another_sales_units_payment_is_not_found(uow: InMemoryUnitOfWork, approved: Payment) -> None:
    assert refusal(uow, lambda: use.load(uow, "654321", REF)) is ErrorCode.REFERENCE_NOT_FOUND


def test_approving_reserves_the_amount_under_the_creates_key(approved: Payment, uow: InMemoryUnitOfWork) -> None:
    [_, event] = uow.events.list(MSN, REF)

    assert (approved.state, approved.authorized) == (PaymentState.AUTHORIZED, AMOUNT)
    assert (event.name, event.idempotency_key) == (EventName.AUTHORIZED, "key-create")
    assert uow.deliveries.queued()[-1].event_type == "epayments.payment.authorized.v1"


@pytest.mark.parametrize("answer", [use.approve_payment, use.reject_payment], ids=["approve", "reject"])
def test_answering_after_the_deadline_is_refused_before_the_sweeper_ran(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds, answer: Callable[..., Payment]
) -> None:
    payment = use.create_payment(uow, clock, ids, a_create(REF), None)
    clock.advance(DEFAULT_LIFETIME)

    assert refusal(uow, lambda: answer(uow, clock, ids, payment)) is ErrorCode.APPROVE_FAILED


def test_rejecting_aborts_the_payment(uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds) -> None:
    payment = use.create_payment(uow, clock, ids, a_create(REF), None)

    rejected = use.reject_payment(uow, clock, ids, payment)

    assert (rejected.state, rejected.authorized) == (PaymentState.ABORTED, 0)
    assert names(uow) == [EventName.CREATED, EventName.ABORTED]


def test_partial_captures_add_up_until_nothing_remains(
    approved: Payment, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    capture(uow, clock, ids, 20000)
    done = capture(uow, clock, ids, AMOUNT - 20000)

    assert (done.captured, done.remaining) == (AMOUNT, 0)
    assert [(e.amount.value, e.idempotency_key) for e in uow.events.list(MSN, REF)[2:]] == [
        (20000, "cap-20000"), (29900, "cap-29900"),
    ]
    assert refusal(uow, lambda: capture(uow, clock, ids, 1)) is ErrorCode.ALREADY_CAPTURED


def test_a_sales_unit_without_partial_capture_must_capture_everything(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    payment = use.create_payment(uow, clock, ids, a_create(REF, msn="654321"), None)
    use.approve_payment(uow, clock, ids, payment)

    assert refusal(uow, lambda: capture(uow, clock, ids, 100, "654321")) is ErrorCode.MUST_CAPTURE_FULL_AMOUNT
    assert capture(uow, clock, ids, AMOUNT, "654321").captured == AMOUNT


# how far a payment has come before the refused operation: created, then these steps
PREPARE: dict[str, Callable[[InMemoryUnitOfWork, FakeClock, SequentialIds, Payment], object]] = {
    "created": lambda u, c, i, p: None,
    "approved": lambda u, c, i, p: use.approve_payment(u, c, i, p),
    "rejected": lambda u, c, i, p: use.reject_payment(u, c, i, p),
    "captured": lambda u, c, i, p: capture(u, c, i, AMOUNT) if use.approve_payment(u, c, i, p) else None,
}


@pytest.mark.parametrize(
    ("setup", "act", "code"),
    [
        ("created", lambda u, c, i: capture(u, c, i, 100), ErrorCode.CAPTURE_BEFORE_RESERVATION),
        ("created", lambda u, c, i: refund(u, c, i, 100), ErrorCode.REFUND_BEFORE_RESERVATION),
        ("rejected", lambda u, c, i: capture(u, c, i, 100), ErrorCode.CANNOT_BE_CAPTURED),
        ("rejected", lambda u, c, i: cancel(u, c, i), ErrorCode.CANNOT_BE_CANCELLED),
        ("approved", lambda u, c, i: capture(u, c, i, AMOUNT + 1), ErrorCode.CAPTURE_AMOUNT_TOO_HIGH),
        ("approved", lambda u, c, i: refund(u, c, i, 1), ErrorCode.NOT_ENOUGH_REFUNDABLE),
        ("approved", lambda u, c, i: cancel(u, c, i, transaction_only=True), ErrorCode.CANNOT_CANCEL_AUTHORIZED),
        ("approved", lambda u, c, i: use.approve_payment(u, c, i, use.load(u, MSN, REF)), ErrorCode.ALREADY_RESERVED),
        ("captured", lambda u, c, i: cancel(u, c, i), ErrorCode.CANNOT_CANCEL_CAPTURED),
    ],
)
def test_operations_the_state_or_aggregate_forbid_write_nothing(
    uow: InMemoryUnitOfWork,
    clock: FakeClock,
    ids: SequentialIds,
    setup: str,
    act: Callable[[InMemoryUnitOfWork, FakeClock, SequentialIds], object],
    code: ErrorCode,
) -> None:
    PREPARE[setup](uow, clock, ids, use.create_payment(uow, clock, ids, a_create(REF), None))

    assert refusal(uow, lambda: act(uow, clock, ids)) is code


def test_refunds_give_back_at_most_what_was_captured(
    approved: Payment, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    capture(uow, clock, ids, 30000)
    refund(uow, clock, ids, 10000)

    assert refusal(uow, lambda: refund(uow, clock, ids, 20001)) is ErrorCode.NOT_ENOUGH_REFUNDABLE
    assert refund(uow, clock, ids, 20000).refunded == 30000
    assert refusal(uow, lambda: refund(uow, clock, ids, 1)) is ErrorCode.ALREADY_REFUNDED


def test_cancelling_an_unanswered_payment_terminates_it_and_releases_it_all(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    use.create_payment(uow, clock, ids, a_create(REF), None)

    done = cancel(uow, clock, ids, transaction_only=True)

    assert (done.state, done.authorized, done.cancelled) == (PaymentState.TERMINATED, 0, AMOUNT)
    assert uow.deliveries.queued()[-1].event_type == "epayments.payment.terminated.v1"


def test_cancelling_after_a_partial_capture_releases_the_rest(
    approved: Payment, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    capture(uow, clock, ids, 9900)

    done = cancel(uow, clock, ids)

    assert (done.state, done.captured, done.cancelled) == (PaymentState.AUTHORIZED, 9900, 40000)
    assert uow.events.list(MSN, REF)[-1].amount == nok(40000)
    assert refusal(uow, lambda: cancel(uow, clock, ids)) is ErrorCode.CANNOT_BE_CANCELLED
    assert refusal(uow, lambda: capture(uow, clock, ids, 1)) is ErrorCode.CANNOT_CAPTURE_CANCELLED


def test_webhooks_are_queued_only_for_subscribed_types_of_the_payments_sales_unit(
    clock: FakeClock, ids: SequentialIds
) -> None:
    uow = InMemoryUnitOfWork()
    uow.merchants.add(a_merchant(MSN))
    subscribe(uow, MSN, "hook-captured", ["epayments.payment.captured.v1"])
    subscribe(uow, "654321", "hook-other", ALL_EVENT_TYPES)
    payment = use.create_payment(uow, clock, ids, a_create(REF), None)
    use.approve_payment(uow, clock, ids, payment)

    capture(uow, clock, ids, 100)

    [delivery] = uow.deliveries.queued()
    assert (delivery.webhook_id, delivery.event_id) == ("hook-captured", 3)
    assert delivery.payload["msn"] == MSN
    assert delivery.payload["pspReference"] == uow.events.log[2].psp_reference


def test_a_check_in_is_queued_for_its_subscribers_without_a_payment_event(uow: InMemoryUnitOfWork) -> None:
    subscribe(uow, "654321", "hook-other", ["user.checked-in.v1"])

    queued = record_check_in(uow, MSN, {"customerToken": "ct-1"}, EPOCH)

    assert queued == 1
    assert [(d.webhook_id, d.event_id, d.payload) for d in uow.deliveries.queued()] == [
        ("hook-1", None, {"customerToken": "ct-1"}),
    ]
    assert uow.events.log == []


def test_every_event_gets_its_own_psp_reference(
    approved: Payment, uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    capture(uow, clock, ids, 100)
    refund(uow, clock, ids, 50)
    cancel(uow, clock, ids)

    refs = [e.psp_reference for e in uow.events.list(MSN, REF)]
    assert len(refs) == len(set(refs)) == 5
    assert use.load(uow, MSN, REF).psp_reference == refs[0]


def test_an_update_from_a_stale_read_is_rejected(
    uow: InMemoryUnitOfWork, clock: FakeClock, ids: SequentialIds
) -> None:
    stale = use.create_payment(uow, clock, ids, a_create(REF), None)
    use.approve_payment(uow, clock, ids, stale)
    clock.advance(timedelta(seconds=1))

    with pytest.raises(ConcurrentUpdateError):
        use.reject_payment(uow, clock, ids, stale)

    assert use.load(uow, MSN, REF).state is PaymentState.AUTHORIZED
