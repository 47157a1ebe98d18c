"""Expiring unanswered payments; the work done grows with the payments due, not with those stored."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from kasse.domain.payment import Payment
from kasse.domain.payment_state import Operation
from kasse.services.payments import advance, load
from kasse.services.ports import Clock, Ids, UnitOfWork

BATCH = 500


def expire_due_payments(uow: UnitOfWork, clock: Clock, ids: Ids, limit: int = BATCH) -> int:
    """Move up to `limit` payments past their deadline to EXPIRED; return how many moved."""
    due = uow.payments.due_for_expiry(clock.now(), limit)
    for payment in due:
        advance(uow, clock, ids, payment, Operation.EXPIRE)
    return len(due)


def expire_payment(uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, reference: str) -> Payment:
    """Expire one unanswered payment now, before its deadline (a test's "expire now").

    Raises:
        DomainError: unknown reference, or the payment is no longer waiting for an answer.
    """
    return advance(uow, clock, ids, load(uow, msn, reference), Operation.EXPIRE)


Write = Callable[[Callable[[UnitOfWork], int]], Awaitable[int]]


async def sweep_expired(write: Write, clock: Clock, ids: Ids) -> int:
    """Expire everything due now, one transaction per batch; return how many payments expired."""
    total = 0
    while True:
        moved = await write(lambda uow: expire_due_payments(uow, clock, ids))
        total += moved
        if moved < BATCH:
            return total
