"""A sale's lifecycle table: only a capture of the full total pays it; settled sales do not move again."""

from __future__ import annotations

import pytest

from kasse.pos.sale import MESSAGES, TRANSITIONS, Outcome, Sale, SaleStatus, SaleTransitionError, can_refund


def pending(total: int = 10000) -> Sale:
    return Sale(reference="pos-1", terminal="till-1", receipt_number=1, method="qr", total=total)


@pytest.mark.parametrize(("outcome", "status"), [(o, s) for (_, o), s in TRANSITIONS.items()])
def test_every_outcome_of_a_pending_sale_follows_the_table(outcome: Outcome, status: SaleStatus) -> None:
    sale = pending().settle(outcome, captured=123)

    assert (sale.status, sale.message, sale.next_poll_at) == (status, MESSAGES[outcome], None)


def test_only_a_capture_in_full_is_paid() -> None:
    assert [s for (_, o), s in TRANSITIONS.items() if s is SaleStatus.PAID] == [SaleStatus.PAID]
    assert pending().settle(Outcome.CAPTURED_SHORT, captured=9900).status is SaleStatus.MISMATCH


@pytest.mark.parametrize("outcome", list(Outcome))
def test_a_settled_sale_takes_no_further_outcome(outcome: Outcome) -> None:
    paid = pending().settle(Outcome.CAPTURED_IN_FULL, captured=10000)

    with pytest.raises(SaleTransitionError):
        paid.settle(outcome)


def test_refunds_are_limited_to_what_was_captured_and_not_yet_refunded() -> None:
    paid = pending().settle(Outcome.CAPTURED_IN_FULL, captured=10000)

    assert can_refund(paid, 10000) and not can_refund(paid, 10001) and not can_refund(paid, 0)
    assert not can_refund(pending(), 1)
