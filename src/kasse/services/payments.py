"""Use cases on payments: create, approve, reject, capture, refund and cancel.

Each loads, asks the domain, and records the result through `record`, so the state change, its
event and its webhook deliveries share the caller's transaction.
"""

from __future__ import annotations

from kasse.domain.errors import DomainError, ErrorCode, NotFoundError
from kasse.domain.payment import (
    Payment,
    apply,
    can_approve,
    can_cancel,
    can_capture,
    can_refund,
    start,
)
from kasse.domain.payment_state import Operation
from kasse.domain.transitions import allows
from kasse.services.commands import CancelPayment, CreatePayment, ModifyPayment
from kasse.services.create_rules import check_create
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
        can_capture(payment, cmd.amount, partial_allowed=merchant is None or merchant.partial_capture_allowed)
    return advance(uow, clock, ids, payment, Operation.CAPTURE, amount=cmd, key=cmd.idempotency_key)


def refund_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: ModifyPayment) -> Payment:
    """Refund part or all of the captured amount.

    Raises:
        DomainError: the state or the aggregate refuses it (6020, 6150, 6180, 6210 …).
    """
    payment = load(uow, cmd.msn, cmd.reference)
    if allows(payment.state, Operation.REFUND):
        can_refund(payment, cmd.amount)
    return advance(uow, clock, ids, payment, Operation.REFUND, amount=cmd, key=cmd.idempotency_key)


def cancel_payment(uow: UnitOfWork, clock: Clock, ids: Ids, cmd: CancelPayment) -> Payment:
    """Terminate an unanswered payment, or release the uncaptured rest of a reservation.

    Raises:
        DomainError: nothing is left to release, or `cancelTransactionOnly` meets a reservation (6060).
    """
    payment = load(uow, cmd.msn, cmd.reference)
    can_cancel(payment, transaction_only=cmd.transaction_only)
    return advance(uow, clock, ids, payment, Operation.CANCEL, key=cmd.idempotency_key)


def approve_payment(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    """Reserve the amount: the customer approved in the wallet, or a test forced it.

    Raises:
        DomainError: the payment is no longer waiting for an answer.
    """
    can_approve(payment, clock.now())
    return advance(uow, clock, ids, payment, Operation.APPROVE, key=payment.idempotency_key)


def reject_payment(uow: UnitOfWork, clock: Clock, ids: Ids, payment: Payment) -> Payment:
    """Abort the payment: the customer said no in the wallet.

    Raises:
        DomainError: the payment is no longer waiting for an answer.
    """
    can_approve(payment, clock.now())
    return advance(uow, clock, ids, payment, Operation.REJECT)
