"""`kasse trigger`: drive a fresh payment to a chosen event, like `stripe trigger`, through the use cases the
API and the wallet run, so the events, webhooks and ledger entries are the ones a real payment makes.

Which steps lead to which event is a table (`PATHS`); each step is one use case in its own transaction, so
the webhooks go out one by one, in order, as they would for a POS and a customer. A check-in needs no
payment: a test user scans the sales unit's trigger callback QR in the wallet.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum

from kasse.domain.payment import Payment
from kasse.domain.payment_state import Operation
from kasse.domain.static_qr import CheckIn, callback_content
from kasse.services import qr_codes
from kasse.services.payment_commands import CancelPayment, ModifyPayment
from kasse.services.payments import (
    advance,
    approve_payment,
    cancel_payment,
    capture_payment,
    load,
    refund_payment,
    reject_payment,
)
from kasse.services.ports import Clock, Ids, UnitOfWork
from kasse.services.wallet import scan

TRIGGER_QR_ID = "kasse-trigger"  # the callback QR a triggered check-in is made at, one per sales unit
CHECKED_IN = "user.checked-in"


class Step(StrEnum):
    """What happens to the fresh payment, in the words the trigger prints."""

    APPROVE = "approve"  # the customer approves in the wallet
    REJECT = "reject"  # the customer rejects in the wallet
    EXPIRE = "expire"  # its deadline passes unanswered (now, without moving kasse's clock)
    CAPTURE = "capture"  # the POS captures the whole amount
    REFUND = "refund"  # the POS refunds the whole amount
    CANCEL = "cancel"  # the POS cancels: the unanswered payment ends, or the reservation is released


# the event asked for -> the steps after the create that lead to it
PATHS: dict[str, tuple[Step, ...]] = {
    "authorized": (Step.APPROVE,),
    "captured": (Step.APPROVE, Step.CAPTURE),
    "cancelled": (Step.APPROVE, Step.CANCEL),
    "refunded": (Step.APPROVE, Step.CAPTURE, Step.REFUND),
    "expired": (Step.EXPIRE,),
    "aborted": (Step.REJECT,),
    "terminated": (Step.CANCEL,),
}
EVENTS = (*PATHS, CHECKED_IN)

_Action = Callable[[UnitOfWork, Clock, Ids, Payment], Payment]


def _whole(payment: Payment) -> ModifyPayment:
    return ModifyPayment(payment.msn, payment.reference, payment.amount, None)


_ACTIONS: dict[Step, _Action] = {
    Step.APPROVE: approve_payment,
    Step.REJECT: reject_payment,
    Step.EXPIRE: lambda uow, clock, ids, p: advance(uow, clock, ids, p, Operation.EXPIRE),
    Step.CAPTURE: lambda uow, clock, ids, p: capture_payment(uow, clock, ids, _whole(p)),
    Step.REFUND: lambda uow, clock, ids, p: refund_payment(uow, clock, ids, _whole(p)),
    Step.CANCEL: lambda uow, clock, ids, p: cancel_payment(uow, clock, ids, CancelPayment(p.msn, p.reference, None)),
}


def take_step(uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, reference: str, step: Step) -> Payment:
    """Apply one step of a trigger to the payment and return it as it now is.

    Raises:
        DomainError: the payment's state refuses the step.
    """
    return _ACTIONS[step](uow, clock, ids, load(uow, msn, reference))


class NoTestUserError(LookupError):
    """A check-in needs a wallet test user, and there is none."""


def check_in_a_user(uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, base_url: str) -> CheckIn:
    """Have the first test user scan the sales unit's trigger callback QR (made if missing): a check-in webhook.

    Raises:
        NoTestUserError: there are no wallet test users.
    """
    users = uow.users.list()
    if not users:
        raise NoTestUserError("no wallet test users: create one with `kasse user create`")
    if uow.static_qrs.get_callback(msn, TRIGGER_QR_ID) is None:
        qr_codes.put_callback(uow, clock, msn, TRIGGER_QR_ID, "kasse trigger")
    outcome = scan(uow, clock, ids, users[0], callback_content(base_url, msn, TRIGGER_QR_ID), base_url)
    assert outcome.check_in is not None, "a live callback QR checks the user in"
    return outcome.check_in
