from datetime import UTC, datetime

import pytest

from kasse.domain.errors import ErrorCode
from kasse.domain.magic_amounts import (
    MAGIC_AMOUNTS,
    AmountOutcome,
    approval_outcome,
    failed_authorization,
    refund_refusal,
)
from kasse.domain.money import Currency, Money
from kasse.domain.payment import start
from kasse.domain.payment_state import EventName

AT = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)
DECLINES = (151, 182, 183, 184, 186, 187, 197)


def test_the_table_holds_exactly_the_contracts_magic_amounts() -> None:
    assert set(MAGIC_AMOUNTS) == {*DECLINES, 201, 202, 123, 124}


@pytest.mark.parametrize("value", DECLINES)
def test_card_declines_fail_the_approval(value: int) -> None:
    found = approval_outcome(value)

    assert found is not None
    assert found.outcome is AmountOutcome.DECLINED
    assert found.reason


@pytest.mark.parametrize(
    ("value", "outcome"),
    [(201, AmountOutcome.UNKNOWN_FOR_AN_HOUR), (202, AmountOutcome.SCA_REQUIRED)],
)
def test_the_other_payment_amounts_delay_the_answer(value: int, outcome: AmountOutcome) -> None:
    found = approval_outcome(value)

    assert found is not None and found.outcome is outcome


@pytest.mark.parametrize(
    ("value", "code"), [(123, ErrorCode.REFUND_NOT_POSSIBLE), (124, ErrorCode.REFUND_PERIOD_EXPIRED)]
)
def test_refund_amounts_refuse_the_refund_with_their_error_code(value: int, code: ErrorCode) -> None:
    found = refund_refusal(value)

    assert found is not None and found.code is code
    assert approval_outcome(value) is None  # a payment of 1.23 is approved as usual


@pytest.mark.parametrize("value", [100, 150, 152, 200, 203, 12300, 15100])
def test_ordinary_amounts_do_nothing_special(value: int) -> None:
    assert approval_outcome(value) is None
    assert refund_refusal(value) is None


def test_payment_amounts_do_not_refuse_refunds() -> None:
    assert all(refund_refusal(v) is None for v in (*DECLINES, 201, 202))


def test_a_failed_authorization_is_an_unsuccessful_authorized_event_of_the_full_amount() -> None:
    payment, _ = start(msn="123456", reference="order-151", amount=Money(151, Currency.NOK), at=AT,
                       psp_reference="psp-1", expires_at=None, idempotency_key="key-1", details={})

    event = failed_authorization(payment, AT, "psp-2")

    assert (event.name, event.success, event.amount, event.psp_reference) == (
        EventName.AUTHORIZED, False, Money(151, Currency.NOK), "psp-2")
    assert event.idempotency_key == "key-1"
