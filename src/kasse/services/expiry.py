"""Expiring unanswered payments; the work done grows with the payments due, not with those stored."""

from __future__ import annotations

from kasse.domain.payment_state import Operation
from kasse.services.payments import advance
from kasse.services.ports import Clock, Ids, UnitOfWork

BATCH = 500


def expire_due_payments(uow: UnitOfWork, clock: Clock, ids: Ids, limit: int = BATCH) -> int:
    """Move up to `limit` payments past their deadline to EXPIRED; return how many moved."""
    due = uow.payments.due_for_expiry(clock.now(), limit)
    for payment in due:
        advance(uow, clock, ids, payment, Operation.EXPIRE)
    return len(due)
