"""Refund (contract §4.6): partial and repeated, never more than was captured and not yet refunded."""

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.money import Currency
from kasse.domain.payment_state import EventName, PaymentState
from tests.unit.services.payment_support import MSN, Shop

REF = "order-0001"


@pytest.fixture
def shop() -> Shop:
    return Shop()


def captured(shop: Shop, value: int = 10000, capture: int = 10000) -> None:
    shop.authorized(REF, value)
    shop.capture(REF, capture)


def test_partial_refunds_add_up_to_what_was_captured(shop: Shop) -> None:
    captured(shop, 10000, 8000)

    refunded = [shop.refund(REF, value).refunded for value in (2000, 2000, 4000)]

    assert refunded == [2000, 4000, 8000]
    assert shop.aggregate(REF) == (10000, 8000, 0, 8000)
    assert shop.load(REF).state is PaymentState.AUTHORIZED


def test_a_refund_logs_a_refunded_event_with_its_amount_key_and_own_psp_reference(shop: Shop) -> None:
    captured(shop)

    shop.refund(REF, 1500, key="refund-key-1")

    event = shop.uow.events.list(MSN, REF)[-1]
    assert (event.name, event.amount.value, event.idempotency_key) == (EventName.REFUNDED, 1500, "refund-key-1")
    assert event.psp_reference != shop.load(REF).psp_reference
    assert shop.uow.deliveries.queued()[-1].event_type == "epayments.payment.refunded.v1"


def test_refunding_before_the_customer_approved_is_refused(shop: Shop) -> None:
    shop.create(REF)

    assert shop.refusal(lambda: shop.refund(REF, 1000)) is ErrorCode.REFUND_BEFORE_RESERVATION


def test_refunding_before_anything_was_captured_is_refused(shop: Shop) -> None:
    shop.authorized(REF, 10000)

    assert shop.refusal(lambda: shop.refund(REF, 1000)) is ErrorCode.NOT_ENOUGH_REFUNDABLE


def test_refunding_more_than_was_captured_is_refused(shop: Shop) -> None:
    captured(shop, 10000, 6000)

    assert shop.refusal(lambda: shop.refund(REF, 6001)) is ErrorCode.NOT_ENOUGH_REFUNDABLE


def test_refunding_more_than_is_left_after_a_partial_refund_is_refused(shop: Shop) -> None:
    captured(shop, 10000, 6000)
    shop.refund(REF, 4000)

    assert shop.refusal(lambda: shop.refund(REF, 2001)) is ErrorCode.NOT_ENOUGH_REFUNDABLE
    assert shop.load(REF).refunded == 4000


def test_refunding_a_fully_refunded_payment_is_refused(shop: Shop) -> None:
    captured(shop)
    shop.refund(REF, 10000)

    assert shop.refusal(lambda: shop.refund(REF, 1)) is ErrorCode.ALREADY_REFUNDED


def test_the_captured_part_of_a_cancelled_payment_can_be_refunded(shop: Shop) -> None:
    captured(shop, 10000, 6000)
    shop.cancel(REF)

    shop.refund(REF, 6000)

    assert shop.aggregate(REF) == (10000, 6000, 4000, 6000)


@pytest.mark.parametrize(("currency", "value"), [(Currency.EUR, 1000), (Currency.NOK, 0)],
                         ids=["other-currency", "zero"])
def test_a_refund_must_be_positive_and_in_the_payments_currency(shop: Shop, currency: Currency, value: int) -> None:
    captured(shop)

    assert shop.refusal(lambda: shop.refund(REF, value, currency)) is ErrorCode.INVALID_AMOUNT


def test_refunding_a_terminated_payment_is_refused(shop: Shop) -> None:
    shop.create(REF)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.refund(REF, 1000)) is ErrorCode.CANNOT_BE_REFUNDED
