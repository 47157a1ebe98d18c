"""The magic amounts of contract §9 as the payment use cases apply them, whoever approves (wallet or force approve)."""

from datetime import timedelta

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.magic_amounts import UNKNOWN_RESULT_HOLD
from kasse.domain.payment_state import EventName, PaymentState
from kasse.services.expiry import expire_due_payments
from tests.unit.services.payment_support import MSN, Shop

REF = "order-0001"
DECLINES = [151, 182, 183, 184, 186, 187, 197]


@pytest.fixture
def shop() -> Shop:
    return Shop()


def events(shop: Shop) -> list[tuple[EventName, bool]]:
    return [(e.name, e.success) for e in shop.uow.events.list(MSN, REF)]


@pytest.mark.parametrize("value", DECLINES)
def test_approving_a_decline_amount_fails_the_authorization_and_aborts(shop: Shop, value: int) -> None:
    shop.create(REF, value)

    after = shop.approve(REF)

    assert (after.state, after.authorized) == (PaymentState.ABORTED, 0)
    assert events(shop) == [(EventName.CREATED, True), (EventName.AUTHORIZED, False), (EventName.ABORTED, True)]


def test_the_failed_authorization_is_queued_as_an_authorized_webhook_with_success_false(shop: Shop) -> None:
    shop.create(REF, 151)

    shop.approve(REF)

    assert [(q.event_type, q.payload["success"]) for q in shop.uow.deliveries.queued()[1:]] == [
        ("epayments.payment.authorized.v1", False), ("epayments.payment.aborted.v1", True)]


def test_an_unknown_result_expires_an_hour_after_the_answer(shop: Shop) -> None:
    shop.create(REF, 201)
    shop.approve(REF)
    shop.clock.advance(UNKNOWN_RESULT_HOLD - timedelta(seconds=1))
    waiting = (expire_due_payments(shop.uow, shop.clock, shop.ids), shop.load(REF).state)
    shop.clock.advance(timedelta(seconds=1))

    assert waiting == (0, PaymentState.CREATED)
    assert expire_due_payments(shop.uow, shop.clock, shop.ids) == 1
    assert events(shop) == [(EventName.CREATED, True), (EventName.EXPIRED, True)]


def test_the_pos_may_cancel_while_the_result_is_unknown(shop: Shop) -> None:
    shop.create(REF, 201)
    shop.approve(REF)

    assert shop.cancel(REF).state is PaymentState.TERMINATED


@pytest.mark.parametrize(("value", "code"),
                         [(123, ErrorCode.REFUND_NOT_POSSIBLE), (124, ErrorCode.REFUND_PERIOD_EXPIRED)])
def test_refunds_of_the_refund_amounts_are_refused_and_others_go_through(
    shop: Shop, value: int, code: ErrorCode
) -> None:
    shop.authorized(REF, 10000)
    shop.capture(REF, 10000)

    assert shop.refusal(lambda: shop.refund(REF, value)) is code
    assert shop.refund(REF, 125).refunded == 125
    assert [name for name, _ in events(shop)] == [
        EventName.CREATED, EventName.AUTHORIZED, EventName.CAPTURED, EventName.REFUNDED]


@pytest.mark.parametrize("value", [123, 124])
def test_a_payment_of_a_refund_amount_is_approved_normally(shop: Shop, value: int) -> None:
    shop.create(REF, value)

    assert shop.approve(REF).state is PaymentState.AUTHORIZED
