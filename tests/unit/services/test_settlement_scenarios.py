"""The Report API contract's worked scenarios (§4 no. 35 and 36) through the booking and closing use cases."""

from __future__ import annotations

from datetime import date

from kasse.domain.ledger import EntryType, Topic
from tests.unit.services.settlement_support import Book, chain, utc

# the guide's day: 2022-10-01 in Oslo (UTC+2), closed at 2022-10-02T00:00+02:00 = 2022-10-01T22:00Z
DAY = date(2022, 10, 1)
CLOSE = utc(2022, 10, 1, 22)


def guide_day() -> Book:
    book = Book(utc(2022, 10, 1, 6), fee_basis_points=0, fee_fixed=400)
    book.capture("purchase-12", 10000, utc(2022, 10, 1, 8))
    book.capture("purchase-12", 10000, utc(2022, 10, 1, 9))
    book.capture("purchase-14", 20000, utc(2022, 10, 1, 10))
    book.refund("purchase-12", 10000, utc(2022, 10, 1, 11))
    return book


def test_the_guide_day_ends_with_fees_retained_and_a_payout_that_empties_funds() -> None:
    book = guide_day()

    closed = book.close(CLOSE)

    funds = book.entries(Topic.FUNDS)
    assert chain(funds) == [0, 10000, 20000, 40000, 30000, 28800, 0]
    assert [e.entry_type for e in funds] == [EntryType.CAPTURE] * 3 + [EntryType.REFUND, EntryType.FEES_RETAINED,
                                                                      EntryType.PAYOUT_SCHEDULED]
    retained, payout = funds[-2], funds[-1]
    assert (retained.amount, payout.amount) == (-1200, -28800)
    assert retained.time == payout.time == CLOSE
    assert payout.to_wire()["time"] == "2022-10-01T22:00:00.000000Z"
    assert payout.psp_reference == f"{book.ledger_id}-1"
    assert payout.reference and retained.reference is None
    assert retained.recipient_handle is None and payout.recipient_handle is None
    assert {e.ledger_date for e in funds} == {DAY}
    assert [(c.ledger_date, c.payout) for c in closed] == [(DAY, 28800)]


def test_the_guide_days_fees_are_three_capture_fees_then_retained() -> None:
    book = guide_day()

    book.close(CLOSE)

    fees, funds = book.entries(Topic.FEES), book.entries(Topic.FUNDS)
    assert chain(fees) == [0, -400, -800, -1200, 0]
    assert [e.entry_type for e in fees] == [EntryType.CAPTURE_FEE] * 3 + [EntryType.FEES_RETAINED]
    captures = [e for e in funds if e.entry_type is EntryType.CAPTURE]
    assert [(f.psp_reference, f.reference) for f in fees[:3]] == [(c.psp_reference, c.reference) for c in captures]
    assert fees[-1].psp_reference == funds[-2].psp_reference and fees[-1].time == funds[-2].time


def test_a_refund_larger_than_the_balance_is_carried_over_three_days_without_a_payout() -> None:
    book = Book(utc(2022, 10, 1, 6), fee_basis_points=300, fee_fixed=0)
    book.capture("concert-1", 50000, utc(2022, 10, 1, 12))
    book.close(utc(2022, 10, 1, 22))
    book.refund("concert-1", 50000, utc(2022, 10, 2, 12))
    second = book.close(utc(2022, 10, 2, 22))
    book.capture("concert-2", 80000, utc(2022, 10, 3, 12))

    third = book.close(utc(2022, 10, 3, 22))

    funds = book.entries(Topic.FUNDS)
    assert chain(funds) == [0, 50000, 48500, 0, -50000, 30000, 27600, 0]
    by_day = {d: [(e.entry_type.value, e.amount) for e in funds if e.ledger_date == d]
              for d in (date(2022, 10, 1), date(2022, 10, 2), date(2022, 10, 3))}
    assert by_day[date(2022, 10, 1)] == [("capture", 50000), ("fees-retained", -1500), ("payout-scheduled", -48500)]
    assert by_day[date(2022, 10, 2)] == [("refund", -50000)]
    assert by_day[date(2022, 10, 3)] == [("capture", 80000), ("fees-retained", -2400), ("payout-scheduled", -27600)]
    assert [c.payout for c in second] == [None] and [c.payout for c in third] == [27600]
    assert funds[-1].psp_reference == f"{book.ledger_id}-2"
