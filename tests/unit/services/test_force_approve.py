"""Force approve (contract §4.8): the test environment's stand-in for the customer's approval."""

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.payment_state import EventName, PaymentState
from kasse.services.payments import force_approve_payment
from tests.unit.services.payment_support import MSN, Shop

REF, OTHER = "order-0001", "order-0002"


@pytest.fixture
def shop() -> Shop:
    shop = Shop()
    shop.create(REF, 10000, token="tok-1", idempotency_key="key-create")
    shop.create(OTHER, 10000, token="tok-2")
    return shop


def force(shop: Shop, reference: str, token: str | None) -> object:
    return force_approve_payment(shop.uow, shop.clock, shop.ids, MSN, reference, token)


@pytest.mark.parametrize("token", [None, "tok-1"], ids=["no-token", "its-token"])
def test_force_approve_reserves_the_amount_under_the_creates_key(shop: Shop, token: str | None) -> None:
    force(shop, REF, token)

    event = shop.uow.events.list(MSN, REF)[-1]
    assert (shop.load(REF).state, shop.aggregate(REF)) == (PaymentState.AUTHORIZED, (10000, 0, 0, 0))
    assert (event.name, event.amount.value, event.idempotency_key) == (EventName.AUTHORIZED, 10000, "key-create")


def test_force_approve_with_another_payments_token_is_refused(shop: Shop) -> None:
    assert shop.refusal(lambda: force(shop, REF, "tok-2")) is ErrorCode.APPROVE_FAILED
    assert shop.load(REF).state is PaymentState.CREATED


def test_force_approving_twice_is_refused(shop: Shop) -> None:
    force(shop, REF, None)

    assert shop.refusal(lambda: force(shop, REF, None)) is ErrorCode.ALREADY_RESERVED
    assert shop.names(REF) == [EventName.CREATED, EventName.AUTHORIZED]


def test_force_approving_an_unknown_reference_is_not_found(shop: Shop) -> None:
    assert shop.refusal(lambda: force(shop, "order-none", None)) is ErrorCode.REFERENCE_NOT_FOUND
