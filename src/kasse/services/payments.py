"""Use cases on payments: create, approve, reject, capture, refund and cancel.

Each loads, asks the domain, and records the result through `record`, so the state change, its
event and its webhook deliveries share the caller's transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kasse.domain.errors import DomainError, ErrorCode, NotFoundError
from kasse.domain.magic_amounts import (
    UNKNOWN_RESULT_HOLD,
    AmountOutcome,
    MagicAmount,
    approval_outcome,
    failed_authorization,
    refund_refusal,
)
from kasse.domain.payment import (
    Payment,
    apply,
    check_approve,
    check_cancel,
    check_capture,
    check_refund,
    start,
)
from kasse.domain.payment_state import Operation
from kasse.domain.transitions import allows
from kasse.services.create_rules import check_create
from kasse.services.customers import push_to_customer, resolve_customer
from kasse.services.payment_commands import CancelPayment, CreatePayment, ModifyPayment
from kasse.services.ports import Clock, Ids, UnitOfWork
from kasse.services.recording import record


def load(uow: UnitOfWork, msn: str, reference: str) -> Payment:
    """Return a payment of this sales unit.

    Raises:
        NotFoundError: no such reference for this MSN (another sales unit's payment included).
    """
    payment = uow.payments.get(msn, reference)
    if payment is None:
        raise NotFoundError(f"Payment with reference '{reference}' not found")
    return payment


def create_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: CreatePayment, token: str | None) -> Payment:
    """Create a payment in CREATED; `token` names it in its redirect URL.

    Raises:
        DomainError: a rule of contract §4.2 refuses it, or the reference is taken (4150).
    """
    now = clock.now()
    merchant = uow.merchants.get(cmd.msn)
    assert merchant is not None, "authenticated sales unit must exist"
    check_create(cmd, merchant, now)
    if uow.payments.get(cmd.msn, cmd.reference) is not None:
        raise DomainError(ErrorCode.REFERENCE_EXISTS, f"Reference '{cmd.reference}' already exists")
    customer = resolve_customer(uow, merchant, cmd, now)
    payment, event = start(
        msn=cmd.msn,
        reference=cmd.reference,
        amount=cmd.amount,
        at=now,
        psp_reference=ids.psp_reference(),
        expires_at=cmd.expires_at,
        idempotency_key=cmd.idempotency_key,
        details=cmd.wire,
    )
    uow.payments.add(payment, token)
    record(uow, event)
    push_to_customer(uow, payment, customer, now)
    return payment


def advance(
    uow: UnitOfWork,
    clock: Clock,
    ids: Ids,
    payment: Payment,
    op: Operation,
    *,
    amount: ModifyPayment | None = None,
    key: str | None = None,
) -> Payment:
    """Apply an operation the guards have let through, and record its event."""
    new, event = apply(
        payment,
        op,
        at=clock.now(),
        psp_reference=ids.psp_reference(),
        amount=amount.amount if amount else None,
        idempotency_key=key,
    )
    uow.payments.update(new)
    record(uow, event)
    return new


def capture_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: ModifyPayment) -> Payment:
    """Capture part or all of the reserved amount; repeatable until nothing remains.

    Raises:
        DomainError: the state or the aggregate refuses it (6080, 6090, 6140, 6170, 6200 …).
    """
    payment = load(uow, cmd.msn, cmd.reference)
    if allows(payment.state, Operation.CAPTURE):
        merchant = uow.merchants.get(cmd.msn)
        check_capture(payment, cmd.amount, partial_allowed=merchant is None or merchant.partial_capture_allowed)
    return advance(uow, clock, ids, payment, Operation.CAPTURE, amount=cmd, key=cmd.idempotency_key)


def refund_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: ModifyPayment) -> Payment:
    """Refund part or all of the captured amount.

    Raises:
        DomainError: the state or the aggregate refuses it (6020, 6150, 6180, 6210 …).
    """
    payment = load(uow, cmd.msn, cmd.reference)
    if allows(payment.state, Operation.REFUND):
        check_refund(payment, cmd.amount)
        refused = refund_refusal(cmd.amount.value)  # contract §9: refunds of 123 and 124 fail
        if refused is not None and refused.code is not None:
            raise DomainError(refused.code, refused.reason)
    return advance(uow, clock, ids, payment, Operation.REFUND, amount=cmd, key=cmd.idempotency_key)


def cancel_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: CancelPayment) -> Payment:
    """Terminate an unanswered payment, or release the uncaptured rest of a reservation.

    Raises:
        DomainError: nothing is left to release, or `cancelTransactionOnly` meets a reservation (6060).
    """
    payment = load(uow, cmd.msn, cmd.reference)
    check_cancel(payment, transaction_only=cmd.transaction_only)
    return advance(uow, clock, ids, payment, Operation.CANCEL, key=cmd.idempotency_key)


def _reserve(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    return advance(uow, clock, ids, payment, Operation.APPROVE, key=payment.idempotency_key)


def _decline(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    # the card is declined: the POS sees a failed AUTHORIZED event (webhook too), then ABORTED
    record(uow, failed_authorization(payment, clock.now(), ids.psp_reference()))
    return advance(uow, clock, ids, payment, Operation.REJECT)


def _hold(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    # no answer for an hour: the payment stays CREATED, then expires at the moved deadline
    until = clock.now() + UNKNOWN_RESULT_HOLD
    uow.wallet.hold_payment(payment.msn, payment.reference, until)
    return replace(payment, expires_at=until)


# contract §9: what an approval does, by the magic-amount outcome of the payment's amount
_APPROVALS: dict[AmountOutcome | None, Callable[[UnitOfWork, Clock, Ids, Payment], Payment]] = {
    None: _reserve,
    AmountOutcome.SCA_REQUIRED: _reserve,  # the wallet asks for BankID first; a forced approval has done it
    AmountOutcome.DECLINED: _decline,
    AmountOutcome.UNKNOWN_FOR_AN_HOUR: _hold,
}


def approval_magic(payment: Payment) -> MagicAmount | None:
    """Return the magic-amount row that governs approving this payment, or None."""
    return approval_outcome(payment.amount.value)


def approve_payment(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    """Reserve the amount: the customer approved in the wallet, or a test forced it.

    A magic amount (contract §9) may decline it (ABORTED) or leave it unanswered for an hour.

    Raises:
        DomainError: the payment is no longer waiting for an answer.
    """
    check_approve(payment, clock.now())
    magic = approval_magic(payment)
    return _APPROVALS[magic.outcome if magic else None](uow, clock, ids, payment)


def reject_payment(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    """Abort the payment: the customer said no in the wallet.

    Raises:
        DomainError: the payment is no longer waiting for an answer.
    """
    check_approve(payment, clock.now())
    return advance(uow, clock, ids, payment, Operation.REJECT)


def force_approve_payment(
    uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, reference: str, token: str | None
) -> Payment:
    """Approve without the wallet (test environment, contract §4.8); a given token must be the payment's.

    Raises:
        DomainError: unknown reference (5090), a token of another payment (10010), or the approval's own refusals.
    """
    payment = load(uow, msn, reference)
    if token is not None and uow.payments.get_by_token(token) != payment:
        raise DomainError(ErrorCode.APPROVE_FAILED, "The token does not belong to this payment")
    return approve_payment(uow, clock, ids, payment)
