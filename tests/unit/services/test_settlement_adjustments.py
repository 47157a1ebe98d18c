"""Disputes, top-ups, credit notes and corrections on a ledger (Report API contract §2.3, §2.7, §4 no. 32)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kasse.domain.ledger import EntryType, Topic
from kasse.domain.ledger_adjustment import AdjustmentError, Refusal
from kasse.domain.ledger_closing import TOP_UP_AFTER_DATES
from kasse.services.ledger_adjustments import adjust, dispute_capture, return_dispute
from kasse.services.partners import UnknownLedgerError
from tests.unit.services.settlement_support import Book, chain, utc

OPENED = utc(2026, 12, 1, 8)
NOON = utc(2026, 12, 2, 11)  # the 2nd, in Oslo


def sold() -> tuple[Book, str]:
    book = Book(OPENED, fee_basis_points=0, fee_fixed=0)
    capture = book.capture("order-1", 10000, utc(2026, 12, 1, 9))
    return book, capture.psp_reference


def funds_types(book: Book) -> list[str]:
    return [e.entry_type.value for e in book.entries(Topic.FUNDS)]


def test_a_disputed_capture_is_held_back_with_the_captures_ids_then_returned() -> None:
    book, psp = sold()

    held = dispute_capture(book.uow, NOON, book.ledger_id, psp)
    back = return_dispute(book.uow, NOON + timedelta(hours=1), book.ledger_id, psp)

    assert (held.entry_type, held.amount) == (EntryType.RETAINED_DISPUTED_CAPTURE, -10000)
    assert (back.entry_type, back.amount) == (EntryType.RETURNED_DISPUTED_CAPTURE, 10000)
    for entry in (held, back):
        assert (entry.psp_reference, entry.reference, entry.recipient_handle) == (psp, "order-1", "api:123456")
        assert entry.ledger_date == date(2026, 12, 2)
    # the 1st was closed (and paid out) before the dispute was written on the open date
    assert funds_types(book) == ["capture", "payout-scheduled", "retained-disputed-capture",
                                 "returned-disputed-capture"]
    assert chain(book.entries(Topic.FUNDS)) == [0, 10000, 0, -10000, 0]


def test_the_dispute_cycle_may_repeat_but_a_capture_is_held_back_once_at_a_time() -> None:
    book, psp = sold()
    dispute_capture(book.uow, NOON, book.ledger_id, psp, amount=4000)

    with pytest.raises(AdjustmentError) as twice:
        dispute_capture(book.uow, NOON, book.ledger_id, psp)
    returned = return_dispute(book.uow, NOON, book.ledger_id, psp)
    again = dispute_capture(book.uow, NOON, book.ledger_id, psp)

    assert (twice.value.refusal, twice.value.field) == (Refusal.CONFLICT, "pspReference")
    assert (returned.amount, again.amount) == (4000, -10000)


@pytest.mark.parametrize(("psp", "amount", "field", "refusal"), [
    ("no-such-capture", None, "pspReference", Refusal.MISSING),
    (None, 10001, "amount", Refusal.INVALID),
    (None, 0, "amount", Refusal.INVALID),
])
def test_a_dispute_of_no_capture_or_of_more_than_was_captured_is_refused(
        psp: str | None, amount: int | None, field: str, refusal: Refusal) -> None:
    book, capture = sold()

    with pytest.raises(AdjustmentError) as refused:
        dispute_capture(book.uow, NOON, book.ledger_id, psp or capture, amount)

    assert (refused.value.field, refused.value.refusal) == (field, refusal)
    assert EntryType.RETAINED_DISPUTED_CAPTURE.value not in funds_types(book)


def test_returning_a_capture_that_is_not_disputed_is_a_conflict() -> None:
    book, psp = sold()

    with pytest.raises(AdjustmentError) as refused:
        return_dispute(book.uow, NOON, book.ledger_id, psp)

    assert refused.value.refusal is Refusal.CONFLICT


def test_an_unknown_ledger_is_refused() -> None:
    book, psp = sold()

    with pytest.raises(UnknownLedgerError):
        dispute_capture(book.uow, NOON, "999999", psp)


@pytest.mark.parametrize(("entry_type", "topic", "amount", "field"), [
    (EntryType.TOP_UP, Topic.FEES, 100, "topic"),
    (EntryType.TOP_UP, Topic.FUNDS, -100, "amount"),
    (EntryType.CORRECTION, Topic.FUNDS, 0, "amount"),
    (EntryType.CAPTURE, Topic.FUNDS, 100, "entryType"),
    (EntryType.TOP_UP, Topic.FUNDS, None, "amount"),  # no negative balance to cover
])
def test_adjustments_that_make_no_sense_are_refused_naming_the_field(
        entry_type: EntryType, topic: Topic, amount: int | None, field: str) -> None:
    book, _ = sold()

    with pytest.raises(AdjustmentError) as refused:
        adjust(book.uow, NOON, book.ledger_id, entry_type, topic, amount)

    assert refused.value.field == field


def test_credit_notes_and_corrections_move_either_topic_and_chain() -> None:
    book, _ = sold()

    credit = adjust(book.uow, NOON, book.ledger_id, EntryType.CREDIT_NOTE, Topic.FEES, 250, "invoice-7")
    fix = adjust(book.uow, NOON, book.ledger_id, EntryType.CORRECTION, Topic.FUNDS, -100)

    assert (credit.topic, credit.amount, credit.reference, credit.balance_after) == (Topic.FEES, 250, "invoice-7", 250)
    assert credit.psp_reference == f"credit-note-{book.ledger_id}-1"
    assert (fix.amount, fix.balance_before, fix.balance_after) == (-100, 0, -100)


def negative_book() -> Book:
    book = Book(OPENED, fee_basis_points=0, fee_fixed=0)
    book.capture("concert-1", 50000, utc(2026, 12, 1, 12))
    book.refund("concert-1", 50000, utc(2026, 12, 2, 12))  # paid out on the 1st: the 2nd goes negative
    book.refund("concert-2", 7000, utc(2026, 12, 2, 13))
    return book


def test_a_balance_negative_for_60_dates_is_topped_up_at_the_close_of_the_60th() -> None:
    book = negative_book()
    last = date(2026, 12, 2) + timedelta(days=TOP_UP_AFTER_DATES - 1)

    book.close(utc(2027, 3, 1, 0))  # one clock move over the whole run, and past it

    top_ups = [e for e in book.entries(Topic.FUNDS) if e.entry_type is EntryType.TOP_UP]
    assert [(e.ledger_date, e.amount, e.balance_after) for e in top_ups] == [(last, 57000, 0)]
    assert top_ups[0].psp_reference == f"top-up-{book.ledger_id}-{last:%Y%m%d}"
    assert book.ledger.last_closed == date(2027, 2, 28) and book.ledger.funds.balance == 0


def test_a_negative_balance_is_topped_up_when_closed_a_date_at_a_time_too() -> None:
    book = negative_book()
    last = date(2026, 12, 2) + timedelta(days=TOP_UP_AFTER_DATES - 1)
    for day in range(TOP_UP_AFTER_DATES + 2):
        book.close(utc(2026, 12, 2, 23) + timedelta(days=day))

    found = [(e.ledger_date, e.amount) for e in book.entries(Topic.FUNDS) if e.entry_type is EntryType.TOP_UP]

    assert found == [(last, 57000)]


def test_a_balance_that_recovers_in_time_is_not_topped_up() -> None:
    book = negative_book()
    book.close(utc(2027, 1, 15, 0))
    book.capture("order-2", 60000, utc(2027, 1, 15, 12))  # back above zero before the 60 dates are up

    book.close(utc(2027, 3, 1, 0))

    assert EntryType.TOP_UP.value not in funds_types(book)


def test_a_top_up_without_an_amount_covers_the_negative_balance_at_once() -> None:
    book = negative_book()

    entry = adjust(book.uow, utc(2026, 12, 3, 11), book.ledger_id, EntryType.TOP_UP, Topic.FUNDS, None)

    assert (entry.amount, entry.balance_after, entry.ledger_date) == (57000, 0, date(2026, 12, 3))
