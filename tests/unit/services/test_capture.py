"""Capture (contract §4.5): partial and repeated, never beyond what is reserved and not released."""

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.money import Currency
from kasse.domain.payment_state import EventName, PaymentState
from tests.unit.services.payment_support import MSN, Shop

REF = "order-0001"


@pytest.fixture
def shop() -> Shop:
    return Shop()


def test_partial_captures_add_up_until_the_reservation_is_taken(shop: Shop) -> None:
    shop.authorized(REF, 10000)

    captured = [shop.capture(REF, value).captured for value in (3000, 3000, 4000)]

    assert captured == [3000, 6000, 10000]
    assert shop.aggregate(REF) == (10000, 10000, 0, 0)
    assert shop.load(REF).state is PaymentState.AUTHORIZED


def test_a_capture_logs_a_captured_event_with_its_amount_key_and_own_psp_reference(shop: Shop) -> None:
    created = shop.authorized(REF, 10000)

    shop.capture(REF, 2500, key="capture-key-1")

    event = shop.uow.events.list(MSN, REF)[-1]
    assert (event.name, event.amount.value, event.idempotency_key, event.success) == (
        EventName.CAPTURED, 2500, "capture-key-1", True)
    assert event.psp_reference != created.psp_reference == shop.load(REF).psp_reference
    assert shop.uow.deliveries.queued()[-1].event_type == "epayments.payment.captured.v1"


@pytest.mark.parametrize("value", [10001, 65_000_000])
def test_capturing_more_than_reserved_is_refused(shop: Shop, value: int) -> None:
    shop.authorized(REF, 10000)

    assert shop.refusal(lambda: shop.capture(REF, value)) is ErrorCode.CAPTURE_AMOUNT_TOO_HIGH


def test_capturing_more_than_what_is_left_is_refused(shop: Shop) -> None:
    shop.authorized(REF, 10000)
    shop.capture(REF, 6000)

    assert shop.refusal(lambda: shop.capture(REF, 4001)) is ErrorCode.CAPTURE_AMOUNT_TOO_HIGH
    assert shop.capture(REF, 4000).captured == 10000


def test_capturing_before_the_customer_approved_is_refused(shop: Shop) -> None:
    shop.create(REF)

    assert shop.refusal(lambda: shop.capture(REF, 10000)) is ErrorCode.CAPTURE_BEFORE_RESERVATION
    assert shop.names(REF) == [EventName.CREATED]


def test_capturing_a_fully_captured_payment_is_refused(shop: Shop) -> None:
    shop.authorized(REF, 10000)
    shop.capture(REF, 10000)

    assert shop.refusal(lambda: shop.capture(REF, 1)) is ErrorCode.ALREADY_CAPTURED


@pytest.mark.parametrize("captured_first", [0, 4000])
def test_capturing_after_a_cancel_is_refused(shop: Shop, captured_first: int) -> None:
    shop.authorized(REF, 10000)
    if captured_first:
        shop.capture(REF, captured_first)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.capture(REF, 1000)) is ErrorCode.CANNOT_CAPTURE_CANCELLED
    assert shop.load(REF).captured == captured_first


def test_capturing_a_terminated_payment_is_refused(shop: Shop) -> None:
    shop.create(REF)
    shop.cancel(REF)

    assert shop.refusal(lambda: shop.capture(REF, 1000)) is ErrorCode.CANNOT_BE_CAPTURED


@pytest.mark.parametrize(("currency", "value"), [(Currency.DKK, 1000), (Currency.NOK, 0)],
                         ids=["other-currency", "zero"])
def test_a_capture_must_be_positive_and_in_the_payments_currency(shop: Shop, currency: Currency, value: int) -> None:
    shop.authorized(REF, 10000)

    assert shop.refusal(lambda: shop.capture(REF, value, currency)) is ErrorCode.INVALID_AMOUNT


def test_capturing_an_unknown_reference_is_not_found(shop: Shop) -> None:
    assert shop.refusal(lambda: shop.capture("order-none", 1000)) is ErrorCode.REFERENCE_NOT_FOUND


def test_a_unit_that_must_capture_in_full_refuses_a_partial_capture() -> None:
    shop = Shop(partial_capture_allowed=False)
    shop.authorized(REF, 10000)

    assert shop.refusal(lambda: shop.capture(REF, 5000)) is ErrorCode.MUST_CAPTURE_FULL_AMOUNT
    assert shop.aggregate(REF) == (10000, 0, 0, 0)
    assert shop.capture(REF, 10000).captured == 10000
