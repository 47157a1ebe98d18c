"""Booking and closing rules (Report API contract §2, §4 no. 21–33) through the use cases, with fakes."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kasse.domain.faults import FaultKind
from kasse.domain.ledger import EntryType, Topic
from kasse.domain.ledger_closing import CORRECTION_AMOUNT
from kasse.domain.money import Market
from kasse.domain.payment_state import EventName
from kasse.domain.settlement_terms import PayoutFrequency, SettlementMode, SettlementTerms, TermsError
from kasse.services.faults import FaultBoard
from kasse.services.ledger_closing import close_ledger
from tests.fakes import FakeClock, SequentialIds
from tests.unit.services.settlement_support import Book, chain, utc

OPENED = utc(2026, 12, 1, 6)  # a Tuesday, in Oslo's winter time (UTC+1): dates close at 23:00Z


def types(book: Book, topic: Topic = Topic.FUNDS) -> list[str]:
    return [e.entry_type.value for e in book.entries(topic)]


@pytest.mark.parametrize("name", [EventName.CREATED, EventName.AUTHORIZED, EventName.CANCELLED, EventName.ABORTED,
                                  EventName.EXPIRED, EventName.TERMINATED])
def test_events_that_move_no_money_write_no_entries(name: EventName) -> None:
    book = Book(OPENED)

    book.other(name, "order-1", 5000, utc(2026, 12, 1, 9))

    assert book.entries(Topic.FUNDS) == [] and book.entries(Topic.FEES) == []


def test_each_partial_capture_is_its_own_entry_with_its_own_psp_reference() -> None:
    book = Book(OPENED)

    first = book.capture("order-1", 3000, utc(2026, 12, 1, 9))
    second = book.capture("order-1", 2000, utc(2026, 12, 1, 9, 5))

    funds = book.entries(Topic.FUNDS)
    assert [(e.psp_reference, e.reference, e.amount) for e in funds] == [
        (first.psp_reference, "order-1", 3000), (second.psp_reference, "order-1", 2000)]
    assert all(e.recipient_handle == "api:123456" and e.currency.value == "NOK" for e in funds)


def test_a_refund_is_negative_on_funds_and_has_no_fee() -> None:
    book = Book(OPENED)
    book.capture("order-1", 10000, utc(2026, 12, 1, 9))

    refund = book.refund("order-1", 4000, utc(2026, 12, 1, 10))

    assert [(e.entry_type.value, e.amount, e.psp_reference) for e in book.entries(Topic.FUNDS)][-1] == (
        "refund", -4000, refund.psp_reference)
    assert types(book, Topic.FEES) == ["capture-fee"]


@pytest.mark.parametrize(("captured", "fee"), [(100, 2), (101, 2), (57, 1), (10000, 175), (28, 0)])
def test_the_default_norwegian_fee_is_1_75_percent_rounded_half_up(captured: int, fee: int) -> None:
    book = Book(OPENED)

    book.capture("order-1", captured, utc(2026, 12, 1, 9))

    assert [e.amount for e in book.entries(Topic.FEES)] == ([-fee] if fee else [])


def test_a_percentage_and_a_fixed_fee_add_up() -> None:
    terms = SettlementTerms(fee_basis_points=250, fee_fixed=100)

    assert terms.fee_for(10000) == 350


@pytest.mark.parametrize(("field", "change"), [("feePercent", {"fee_basis_points": 10001}),
                                               ("feeFixed", {"fee_fixed": -1}),
                                               ("payoutDelayDays", {"payout_delay_days": 31})])
def test_terms_out_of_range_are_refused_naming_the_field(field: str, change: dict[str, int]) -> None:
    with pytest.raises(TermsError) as refused:
        SettlementTerms(**{"fee_basis_points": 0, "fee_fixed": 0, **change})

    assert refused.value.field == field


def test_closing_a_date_twice_writes_nothing_the_second_time() -> None:
    book = Book(OPENED)
    book.capture("order-1", 10000, utc(2026, 12, 1, 9))
    first = book.close(utc(2026, 12, 2, 0))

    again = book.close(utc(2026, 12, 2, 0))

    assert [c.ledger_date for c in first] == [date(2026, 12, 1)] and again == []
    assert types(book) == ["capture", "fees-retained", "payout-scheduled"]


def test_a_date_without_activity_closes_without_entries() -> None:
    book = Book(OPENED)

    closed = book.close(utc(2026, 12, 4, 0))

    assert [c.ledger_date for c in closed] == [date(2026, 12, 1), date(2026, 12, 2), date(2026, 12, 3)]
    assert book.entries(Topic.FUNDS) == [] and book.ledger.last_closed == date(2026, 12, 3)


def test_a_capture_after_midnight_closes_the_previous_date_first() -> None:
    book = Book(OPENED)
    book.capture("order-1", 10000, utc(2026, 12, 1, 22, 30))

    book.capture("order-2", 5000, utc(2026, 12, 1, 23, 30))  # 00:30 in Oslo on the 2nd; no closing ran yet

    funds = book.entries(Topic.FUNDS)
    assert [(e.entry_type.value, e.ledger_date.day) for e in funds] == [
        ("capture", 1), ("fees-retained", 1), ("payout-scheduled", 1), ("capture", 2)]
    assert chain(funds)[-1] == 5000


@pytest.mark.parametrize(("market", "close_hour"), [(Market.NO, 23), (Market.DK, 23), (Market.FI, 22)])
def test_a_date_closes_at_midnight_in_the_markets_zone(market: Market, close_hour: int) -> None:
    book = Book(OPENED, market)
    book.capture("order-1", 10000, utc(2026, 12, 1, 12))

    before = book.close(utc(2026, 12, 1, close_hour) - timedelta(microseconds=1))
    after = book.close(utc(2026, 12, 1, close_hour))

    assert before == [] and [c.ledger_date for c in after] == [date(2026, 12, 1)]
    assert book.entries(Topic.FUNDS)[-1].time == utc(2026, 12, 1, close_hour)


def test_weekly_payouts_come_only_on_sundays() -> None:
    book = Book(OPENED, frequency=PayoutFrequency.WEEKLY)
    for day in range(1, 8):  # Tuesday 1st to Monday 7th
        book.capture(f"order-{day}", 1000, utc(2026, 12, day, 12))

    book.close(utc(2026, 12, 8, 0))

    payouts = [e for e in book.entries(Topic.FUNDS) if e.entry_type is EntryType.PAYOUT_SCHEDULED]
    assert [p.ledger_date for p in payouts] == [date(2026, 12, 6)]
    assert book.ledger.funds.balance > 0  # Monday's capture waits for next Sunday


def test_monthly_payouts_come_on_the_last_date_of_the_month() -> None:
    book = Book(OPENED, frequency=PayoutFrequency.MONTHLY)
    book.capture("order-1", 1000, utc(2026, 12, 15, 12))

    book.close(utc(2027, 1, 2, 0))

    payouts = [e for e in book.entries(Topic.FUNDS) if e.entry_type is EntryType.PAYOUT_SCHEDULED]
    assert [p.ledger_date for p in payouts] == [date(2026, 12, 31)]


def test_gross_settlement_pays_out_everything_and_invoices_fees_at_month_end() -> None:
    book = Book(OPENED, mode=SettlementMode.GROSS)
    book.capture("order-1", 10000, utc(2026, 12, 1, 12))

    book.close(utc(2027, 1, 1, 0))

    assert types(book) == ["capture", "payout-scheduled"]
    assert book.entries(Topic.FUNDS)[-1].amount == -10000
    fees = book.entries(Topic.FEES)
    assert [(e.entry_type.value, e.amount, e.ledger_date) for e in fees] == [
        ("capture-fee", -175, date(2026, 12, 1)), ("fees-invoiced", 175, date(2026, 12, 31))]


def board() -> FaultBoard:
    return FaultBoard(FakeClock(OPENED), SequentialIds())


def test_an_armed_correction_is_written_at_the_next_closing_and_paid_out_with_the_rest() -> None:
    book, faults = Book(OPENED), board()
    book.capture("order-1", 10000, utc(2026, 12, 1, 12))
    faults.arm("123456", FaultKind.REPORT_CORRECTION, times=1)

    book.close(utc(2026, 12, 2, 0), faults)

    funds = book.entries(Topic.FUNDS)
    assert types(book) == ["capture", "correction", "fees-retained", "payout-scheduled"]
    assert funds[1].amount == CORRECTION_AMOUNT and chain(funds)[-1] == 0
    assert faults.list() == []


def test_an_aborted_payout_puts_the_money_back_on_the_next_date() -> None:
    book, faults = Book(OPENED), board()
    faults.arm("123456", FaultKind.REPORT_PAYOUT_ABORTED, times=1)
    book.close(utc(2026, 12, 2, 0), faults)  # no payout on an empty date: the fault waits
    book.capture("order-1", 10000, utc(2026, 12, 2, 12))

    book.close(utc(2026, 12, 3, 0), faults)

    funds = book.entries(Topic.FUNDS)
    payout, aborted = funds[-2], funds[-1]
    assert (payout.entry_type, aborted.entry_type) == (EntryType.PAYOUT_SCHEDULED, EntryType.PAYOUT_ABORTED)
    assert aborted.amount == -payout.amount and aborted.psp_reference == payout.psp_reference
    assert (payout.ledger_date, aborted.ledger_date) == (date(2026, 12, 2), date(2026, 12, 3))
    assert book.ledger.funds.balance == 9825 and faults.list() == []


def test_an_armed_slow_closing_holds_the_closing_after_its_writes_and_only_once() -> None:
    book, faults = Book(OPENED), board()
    book.capture("order-1", 10000, utc(2026, 12, 1, 12))
    faults.arm("123456", FaultKind.REPORT_SLOW_CLOSING, delay_seconds=42, times=1)
    held: list[tuple[float, list[str]]] = []

    def pause(seconds: float) -> None:  # what the transaction holds when the pause starts
        held.append((seconds, types(book)))

    close_ledger(book.uow, book.ledger_id, utc(2026, 12, 2, 0), faults, pause)
    close_ledger(book.uow, book.ledger_id, utc(2026, 12, 3, 0), faults, pause)

    assert held == [(42, ["capture", "fees-retained", "payout-scheduled"])]
    assert faults.list() == []
