"""Cancel (contract §4.7): terminate an unanswered payment, or release the uncaptured rest of a reservation."""

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.payment_state import EventName, PaymentState
from tests.unit.services.payment_support import MSN, Shop

REF = "order-0001"


@pytest.fixture
def shop() -> Shop:
    return Shop()


def last_event(shop: Shop) -> tuple[EventName, int]:
    event = shop.uow.events.list(MSN, REF)[-1]
    return event.name, event.amount.value


def test_cancelling_a_reservation_releases_it_and_keeps_the_state(shop: Shop) -> None:
    shop.authorized(REF, 10000)

    done = shop.cancel(REF)

    assert done.state is PaymentState.AUTHORIZED
    assert shop.aggregate(REF) == (10000, 0, 10000, 0)
    assert last_event(shop) == (EventName.CANCELLED, 10000)
    assert shop.uow.deliveries.queued()[-1].event_type == "epayments.payment.cancelled.v1"


def test_cancelling_after_a_partial_capture_releases_the_remainder(shop: Shop) -> None:
    shop.authorized(REF, 10000)  # the vending pattern: reserve the dearest item, take the chosen one
    shop.capture(REF, 2500)

    shop.cancel(REF)

    assert shop.aggregate(REF) == (10000, 2500, 7500, 0)
    assert shop.names(REF)[-2:] == [EventName.CAPTURED, EventName.CANCELLED]
    assert last_event(shop) == (EventName.CANCELLED, 7500)


def test_cancelling_a_fully_captured_payment_is_refused(shop: Shop) -> None:
    shop.authorized(REF, 10000)
    shop.capture(REF, 10000)

    assert shop.refusal(lambda: shop.cancel(REF)) is ErrorCode.CANNOT_CANCEL_CAPTURED


def test_cancel_transaction_only_leaves_a_reservation_alone(shop: Shop) -> None:
    shop.authorized(REF, 10000)

    assert shop.refusal(lambda: shop.cancel(REF, transaction_only=True)) is ErrorCode.CANNOT_CANCEL_AUTHORIZED
    assert shop.names(REF) == [EventName.CREATED, EventName.AUTHORIZED]


def test_cancel_transaction_only_terminates_an_unanswered_payment(shop: Shop) -> None:
    shop.create(REF, 10000)

    done = shop.cancel(REF, transaction_only=True)

    assert (done.state, done.cancelled) == (PaymentState.TERMINATED, 10000)
    assert last_event(shop) == (EventName.TERMINATED, 10000)


def test_cancelling_twice_is_refused_and_releases_nothing_more(shop: Shop) -> None:
    shop.authorized(REF, 10000)
    shop.capture(REF, 4000)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.cancel(REF)) is ErrorCode.CANNOT_BE_CANCELLED
    assert shop.aggregate(REF) == (10000, 4000, 6000, 0)


def test_cancelling_a_terminated_payment_is_refused(shop: Shop) -> None:
    shop.create(REF)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.cancel(REF)) is ErrorCode.CANNOT_BE_CANCELLED
    assert shop.names(REF) == [EventName.CREATED, EventName.TERMINATED]


def test_a_cancelled_payment_cannot_be_approved_any_more(shop: Shop) -> None:
    shop.create(REF)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.approve(REF)) is ErrorCode.APPROVE_FAILED
    assert shop.load(REF).state is PaymentState.TERMINATED
