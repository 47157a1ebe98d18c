from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from kasse.domain.errors import DomainError, ErrorCode
from kasse.domain.money import Currency, Money
from kasse.domain.payment import (
    DEFAULT_LIFETIME,
    Payment,
    apply,
    check_approve,
    check_cancel,
    check_capture,
    check_refund,
    is_expired,
    start,
)
from kasse.domain.payment_state import EventName, Operation, PaymentState
from tests.fakes import EPOCH

AMOUNT = 1000
S = PaymentState


def nok(value: int) -> Money:
    return Money(value, Currency.NOK)


def created() -> Payment:
    payment, _ = start(
        msn="123456", reference="order-1", amount=nok(AMOUNT), at=EPOCH, psp_reference="psp-create",
        expires_at=None, idempotency_key="key-create", details={},
    )
    return payment


def authorized(captured: int = 0, refunded: int = 0, cancelled: int = 0) -> Payment:
    return replace(
        created(), state=S.AUTHORIZED, authorized=AMOUNT, captured=captured, refunded=refunded, cancelled=cancelled
    )


def test_a_new_payment_waits_ten_minutes_for_the_customer() -> None:
    payment, event = start(
        msn="123456", reference="order-1", amount=nok(AMOUNT), at=EPOCH, psp_reference="psp-1",
        expires_at=None, idempotency_key="key-1", details={"userFlow": "QR"},
    )

    assert (payment.state, payment.expires_at, payment.version) == (S.CREATED, EPOCH + DEFAULT_LIFETIME, 0)
    assert payment.aggregate_wire()["authorizedAmount"] == {"currency": "NOK", "value": 0}
    assert (event.name, event.amount, event.psp_reference, event.idempotency_key) == (
        EventName.CREATED, nok(AMOUNT), "psp-1", "key-1",
    )


def test_a_long_living_payment_keeps_its_own_deadline() -> None:
    deadline = EPOCH + timedelta(days=2)

    payment, _ = start(
        msn="1", reference="r", amount=nok(1), at=EPOCH, psp_reference="p", expires_at=deadline,
        idempotency_key=None, details={},
    )

    assert payment.expires_at == deadline


@pytest.mark.parametrize(
    ("payment", "now", "expired"),
    [
        (created(), EPOCH + DEFAULT_LIFETIME - timedelta(microseconds=1), False),
        (created(), EPOCH + DEFAULT_LIFETIME, True),
        (authorized(), EPOCH + timedelta(days=1), False),
    ],
    ids=["just-before-deadline", "at-deadline", "authorized-never-expires"],
)
def test_only_an_unanswered_payment_past_its_deadline_is_expired(
    payment: Payment, now: datetime, expired: bool
) -> None:
    assert is_expired(payment, now) is expired


@pytest.mark.parametrize(
    ("payment", "amount", "partial", "code"),
    [
        (authorized(), Money(100, Currency.DKK), True, ErrorCode.INVALID_AMOUNT),
        (authorized(), nok(0), True, ErrorCode.INVALID_AMOUNT),
        (authorized(), nok(-5), True, ErrorCode.INVALID_AMOUNT),
        (authorized(cancelled=AMOUNT), nok(1), True, ErrorCode.CANNOT_CAPTURE_CANCELLED),
        (authorized(captured=400, cancelled=600), nok(1), True, ErrorCode.CANNOT_CAPTURE_CANCELLED),
        (authorized(captured=AMOUNT), nok(1), True, ErrorCode.ALREADY_CAPTURED),
        (authorized(captured=400), nok(601), True, ErrorCode.CAPTURE_AMOUNT_TOO_HIGH),
        (authorized(), nok(999), False, ErrorCode.MUST_CAPTURE_FULL_AMOUNT),
    ],
)
def test_a_capture_the_aggregate_cannot_carry_is_refused(
    payment: Payment, amount: Money, partial: bool, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as refused:
        check_capture(payment, amount, partial_allowed=partial)

    assert refused.value.code is code


@pytest.mark.parametrize(
    ("payment", "amount", "partial"),
    [(authorized(), nok(AMOUNT), False), (authorized(captured=400), nok(600), True), (authorized(), nok(1), True)],
)
def test_a_capture_within_what_remains_is_allowed(payment: Payment, amount: Money, partial: bool) -> None:
    check_capture(payment, amount, partial_allowed=partial)


@pytest.mark.parametrize(
    ("payment", "amount", "code"),
    [
        (authorized(captured=500), Money(1, Currency.EUR), ErrorCode.INVALID_AMOUNT),
        (authorized(captured=500), nok(0), ErrorCode.INVALID_AMOUNT),
        (authorized(captured=500, refunded=500), nok(1), ErrorCode.ALREADY_REFUNDED),
        (authorized(captured=500, refunded=200), nok(301), ErrorCode.NOT_ENOUGH_REFUNDABLE),
        (authorized(), nok(1), ErrorCode.NOT_ENOUGH_REFUNDABLE),
    ],
)
def test_a_refund_of_more_than_is_refundable_is_refused(payment: Payment, amount: Money, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as refused:
        check_refund(payment, amount)

    assert refused.value.code is code


def test_a_refund_of_exactly_what_is_refundable_is_allowed() -> None:
    check_refund(authorized(captured=500, refunded=200), nok(300))


@pytest.mark.parametrize(
    ("payment", "transaction_only", "code"),
    [
        (authorized(), True, ErrorCode.CANNOT_CANCEL_AUTHORIZED),
        (authorized(captured=AMOUNT), False, ErrorCode.CANNOT_CANCEL_CAPTURED),
        (authorized(cancelled=AMOUNT), False, ErrorCode.CANNOT_BE_CANCELLED),
        (authorized(captured=300, cancelled=700), False, ErrorCode.CANNOT_BE_CANCELLED),
    ],
)
def test_a_cancel_that_would_release_nothing_or_break_a_promise_is_refused(
    payment: Payment, transaction_only: bool, code: ErrorCode
) -> None:
    with pytest.raises(DomainError) as refused:
        check_cancel(payment, transaction_only=transaction_only)

    assert refused.value.code is code


@pytest.mark.parametrize(
    ("payment", "transaction_only"),
    [
        (created(), True),
        (created(), False),
        (authorized(captured=300), False),
        (replace(created(), state=S.EXPIRED), False),
    ],
    ids=["created-transaction-only", "created", "partly-captured", "final-state-left-to-the-table"],
)
def test_the_cancel_guard_lets_through_what_it_does_not_own(payment: Payment, transaction_only: bool) -> None:
    check_cancel(payment, transaction_only=transaction_only)


def test_approving_after_the_deadline_is_refused_before_the_sweeper_ran() -> None:
    with pytest.raises(DomainError) as refused:
        check_approve(created(), EPOCH + DEFAULT_LIFETIME)

    assert refused.value.code is ErrorCode.APPROVE_FAILED


def test_approving_before_the_deadline_is_allowed() -> None:
    check_approve(created(), EPOCH + DEFAULT_LIFETIME - timedelta(seconds=1))


@pytest.mark.parametrize(
    ("payment", "op", "amount", "state", "aggregate", "moved"),
    [
        (created(), Operation.APPROVE, None, S.AUTHORIZED, (AMOUNT, 0, 0, 0), AMOUNT),
        (created(), Operation.REJECT, None, S.ABORTED, (0, 0, 0, 0), AMOUNT),
        (created(), Operation.EXPIRE, None, S.EXPIRED, (0, 0, 0, 0), AMOUNT),
        (created(), Operation.CANCEL, None, S.TERMINATED, (0, 0, 0, AMOUNT), AMOUNT),
        (authorized(captured=100), Operation.CAPTURE, nok(250), S.AUTHORIZED, (AMOUNT, 350, 0, 0), 250),
        (authorized(captured=350, refunded=50), Operation.REFUND, nok(100), S.AUTHORIZED, (AMOUNT, 350, 150, 0), 100),
        (authorized(captured=250), Operation.CANCEL, None, S.AUTHORIZED, (AMOUNT, 250, 0, 750), 750),
    ],
    ids=["approve", "reject", "expire", "terminate-releases-all", "capture", "refund", "cancel-releases-rest"],
)
def test_each_operation_moves_the_aggregate_by_its_events_own_amount(
    payment: Payment,
    op: Operation,
    amount: Money | None,
    state: PaymentState,
    aggregate: tuple[int, int, int, int],
    moved: int,
) -> None:
    new, event = apply(payment, op, at=EPOCH + timedelta(minutes=1), psp_reference="psp-op", amount=amount,
                       idempotency_key="key-op")

    assert new.state is state
    assert (new.authorized, new.captured, new.refunded, new.cancelled) == aggregate
    assert new.version == payment.version + 1
    assert event.amount == nok(moved)
    assert (event.psp_reference, event.idempotency_key, event.timestamp) == (
        "psp-op", "key-op", EPOCH + timedelta(minutes=1),
    )
    assert new.psp_reference == payment.psp_reference == "psp-create"


def test_apply_leaves_the_original_payment_untouched() -> None:
    before = authorized()

    apply(before, Operation.CAPTURE, at=EPOCH, psp_reference="p", amount=nok(10))

    assert before == authorized()


@pytest.mark.parametrize(
    ("payment", "op", "code"),
    [
        (created(), Operation.CAPTURE, ErrorCode.CAPTURE_BEFORE_RESERVATION),
        (authorized(), Operation.APPROVE, ErrorCode.ALREADY_RESERVED),
        (replace(created(), state=S.TERMINATED), Operation.CANCEL, ErrorCode.CANNOT_BE_CANCELLED),
    ],
)
def test_apply_refuses_what_the_table_refuses(payment: Payment, op: Operation, code: ErrorCode) -> None:
    with pytest.raises(DomainError) as refused:
        apply(payment, op, at=EPOCH, psp_reference="p", amount=nok(1))

    assert refused.value.code is code
    assert payment.state.value in refused.value.detail


def test_remaining_and_refundable_follow_the_aggregate() -> None:
    payment = authorized(captured=600, refunded=100, cancelled=400)

    assert (payment.remaining, payment.refundable) == (0, 500)
    assert payment.aggregate_wire() == {
        "authorizedAmount": {"currency": "NOK", "value": AMOUNT},
        "cancelledAmount": {"currency": "NOK", "value": 400},
        "capturedAmount": {"currency": "NOK", "value": 600},
        "refundedAmount": {"currency": "NOK", "value": 100},
    }


def test_an_event_is_written_as_the_contracts_log_entry_and_webhook() -> None:
    _, event = apply(authorized(), Operation.CAPTURE, at=EPOCH, psp_reference="psp-9", amount=nok(250))

    assert event.to_wire() == {
        "reference": "order-1",
        "pspReference": "psp-9",
        "name": "CAPTURED",
        "amount": {"currency": "NOK", "value": 250},
        "timestamp": "2024-03-01T12:00:00.000Z",
        "idempotencyKey": None,
        "success": True,
    }
    assert event.to_webhook() == {"msn": "123456", **event.to_wire()}
    assert event.name.webhook_event == "epayments.payment.captured.v1"
