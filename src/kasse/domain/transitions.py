"""The payment state machine as data: what each operation does in each state, or why it is refused.

`TRANSITIONS` and `REFUSALS` together cover every (state, operation) pair exactly once; a test
checks that, and renders `TRANSITIONS` as the state diagram in the docs.
"""

from __future__ import annotations

from typing import NamedTuple

from kasse.domain.errors import ErrorCode
from kasse.domain.payment_state import EventName, Operation, PaymentState

S = PaymentState
Op = Operation
E = EventName


class Transition(NamedTuple):
    """Where an allowed operation leads, and the event it appends."""

    to: PaymentState
    event: EventName


TRANSITIONS: dict[tuple[PaymentState, Operation], Transition] = {
    (S.CREATED, Op.APPROVE): Transition(S.AUTHORIZED, E.AUTHORIZED),
    (S.CREATED, Op.REJECT): Transition(S.ABORTED, E.ABORTED),
    (S.CREATED, Op.EXPIRE): Transition(S.EXPIRED, E.EXPIRED),
    (S.CREATED, Op.CANCEL): Transition(S.TERMINATED, E.TERMINATED),
    # after authorization the state stays; only the aggregate moves (contract §4.9)
    (S.AUTHORIZED, Op.CAPTURE): Transition(S.AUTHORIZED, E.CAPTURED),
    (S.AUTHORIZED, Op.REFUND): Transition(S.AUTHORIZED, E.REFUNDED),
    (S.AUTHORIZED, Op.CANCEL): Transition(S.AUTHORIZED, E.CANCELLED),
}

_FINAL_REFUSALS = {
    Op.APPROVE: ErrorCode.APPROVE_FAILED,
    Op.REJECT: ErrorCode.APPROVE_FAILED,
    Op.EXPIRE: ErrorCode.INTERNAL_ERROR,
    Op.CANCEL: ErrorCode.CANNOT_BE_CANCELLED,
    Op.CAPTURE: ErrorCode.CANNOT_BE_CAPTURED,
    Op.REFUND: ErrorCode.CANNOT_BE_REFUNDED,
}

REFUSALS: dict[tuple[PaymentState, Operation], ErrorCode] = {
    (S.CREATED, Op.CAPTURE): ErrorCode.CAPTURE_BEFORE_RESERVATION,
    (S.CREATED, Op.REFUND): ErrorCode.REFUND_BEFORE_RESERVATION,
    (S.AUTHORIZED, Op.APPROVE): ErrorCode.ALREADY_RESERVED,
    (S.AUTHORIZED, Op.REJECT): ErrorCode.ALREADY_RESERVED,
    (S.AUTHORIZED, Op.EXPIRE): ErrorCode.ALREADY_RESERVED,
    **{(state, op): code for state in (S.ABORTED, S.EXPIRED, S.TERMINATED) for op, code in _FINAL_REFUSALS.items()},
}


def lookup(state: PaymentState, op: Operation) -> Transition | ErrorCode:
    """Return where `op` leads from `state`, or the ErrorCode that refuses it."""
    return TRANSITIONS.get((state, op)) or REFUSALS[(state, op)]


def allows(state: PaymentState, op: Operation) -> bool:
    """Tell whether the table allows `op` in `state` (guards may still refuse it)."""
    return (state, op) in TRANSITIONS
