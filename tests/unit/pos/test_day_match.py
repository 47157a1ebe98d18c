"""Matching a ledger date: every POS movement and every report sale entry ends up matched or in one difference."""

from __future__ import annotations

import random
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from kasse.pos.day_match import DifferenceKind, ReportEntry, match_day
from kasse.pos.movement import Movement, MovementKind

CAPTURE, REFUND = MovementKind.CAPTURE, MovementKind.REFUND


def movement(n: int, kind: MovementKind = CAPTURE, amount: int = 10000, psp: str | None = "") -> Movement:
    return Movement(idempotency_key=f"{kind}-{n}", reference=f"pos-{n}", kind=kind, amount=amount,
                    psp_reference=f"psp-{kind}-{n}" if psp == "" else psp, at=1.0)


def entry_of(m: Movement, **changes: object) -> ReportEntry:
    shown = ReportEntry(psp_reference=m.psp_reference or f"psp-{m.idempotency_key}", reference=m.reference,
                        entry_type=m.kind.value, amount=m.signed_amount)
    return replace(shown, **changes)


FEES = ReportEntry(psp_reference="fr-1", reference=None, entry_type="fees-retained", amount=-300)
PAYOUT = ReportEntry(psp_reference="123456-1", reference="Vipps utbet. 1", entry_type="payout-scheduled",
                     amount=-9700)


def test_the_same_captures_and_refunds_on_both_sides_match_with_no_difference() -> None:
    pos = [movement(1), movement(2, amount=5000), movement(1, REFUND, 2500)]

    day = match_day(pos, [*map(entry_of, pos), FEES, PAYOUT])

    assert day.differences == ()
    assert [(m.movement, m.entry.amount) for m in day.matched] == [(pos[0], 10000), (pos[1], 5000), (pos[2], -2500)]
    assert day.settlement == (FEES, PAYOUT)


def test_a_refund_made_outside_the_pos_is_in_the_report_but_not_in_the_pos() -> None:
    pos = [movement(1)]
    outside = ReportEntry(psp_reference="psp-x", reference="pos-1", entry_type="refund", amount=-10000)

    day = match_day(pos, [entry_of(pos[0]), outside])

    assert [(d.kind, d.entry, d.movement) for d in day.differences] == [(DifferenceKind.MISSING_IN_POS, outside, None)]
    assert day.differences[0].label == "in the report, not in the POS"


def test_a_capture_the_report_lacks_is_in_the_pos_but_not_in_the_report() -> None:
    pos = [movement(1), movement(2)]

    day = match_day(pos, [entry_of(pos[0])])

    assert [(d.kind, d.movement) for d in day.differences] == [(DifferenceKind.MISSING_IN_REPORT, pos[1])]


def test_the_same_psp_reference_with_another_amount_is_an_amount_difference() -> None:
    pos = [movement(1, amount=13000)]

    day = match_day(pos, [entry_of(pos[0], amount=12900)])

    assert [(d.kind, d.movement, d.entry and d.entry.amount) for d in day.differences] == [
        (DifferenceKind.AMOUNT_DIFFERS, pos[0], 12900)]
    assert day.matched == ()


def test_a_capture_shown_as_a_refund_is_an_amount_difference() -> None:
    pos = [movement(1)]

    day = match_day(pos, [entry_of(pos[0], entry_type="refund", amount=-10000)])

    assert [d.kind for d in day.differences] == [DifferenceKind.AMOUNT_DIFFERS]


def test_the_same_psp_reference_on_another_payment_is_a_reference_difference() -> None:
    pos = [movement(1)]

    day = match_day(pos, [entry_of(pos[0], reference="someone-else")])

    assert [d.kind for d in day.differences] == [DifferenceKind.REFERENCE_DIFFERS]


def test_a_movement_whose_psp_reference_is_unknown_is_matched_by_reference_kind_and_amount() -> None:
    known, unknown = movement(1), movement(2, psp=None)
    other_amount = ReportEntry(psp_reference="a", reference="pos-2", entry_type="capture", amount=999)
    same = ReportEntry(psp_reference="b", reference="pos-2", entry_type="capture", amount=10000)

    day = match_day([known, unknown], [entry_of(known), other_amount, same])

    assert [(m.movement, m.entry) for m in day.matched] == [(known, entry_of(known)), (unknown, same)]
    assert [(d.kind, d.entry) for d in day.differences] == [(DifferenceKind.MISSING_IN_POS, other_amount)]


def test_corrections_and_disputes_are_report_money_the_pos_did_not_move() -> None:
    pos = [movement(1)]
    dispute = entry_of(pos[0], entry_type="retained-disputed-capture", amount=-10000)  # the capture's pspReference
    correction = ReportEntry(psp_reference="c-1", reference="pos-1", entry_type="correction", amount=-50)

    day = match_day(pos, [entry_of(pos[0]), dispute, correction])

    assert [m.movement for m in day.matched] == pos
    assert [(d.kind, d.entry) for d in day.differences] == [(DifferenceKind.MISSING_IN_POS, dispute),
                                                           (DifferenceKind.MISSING_IN_POS, correction)]


# properties ---------------------------------------------------------------------------------------------------
movements = st.lists(st.tuples(st.sampled_from(list(MovementKind)), st.integers(1, 10**7)), max_size=25).map(
    lambda pairs: [movement(n, kind, amount) for n, (kind, amount) in enumerate(pairs)])


@given(movements, st.randoms(use_true_random=False))
def test_identical_sides_in_any_order_have_no_difference(pos: list[Movement], rng: random.Random) -> None:
    report = [*map(entry_of, pos), FEES]
    rng.shuffle(report)

    day = match_day(pos, report)

    assert day.differences == ()
    assert sorted(m.movement.idempotency_key for m in day.matched) == sorted(m.idempotency_key for m in pos)


@given(movements, st.data())
def test_each_change_to_the_report_shows_as_exactly_its_difference(pos: list[Movement], data: st.DataObject) -> None:
    fate = data.draw(st.lists(st.sampled_from(["keep", "drop", "amount"]), min_size=len(pos), max_size=len(pos)))
    extra = data.draw(st.integers(0, 3))
    report = [entry_of(m, amount=m.signed_amount + 1) if f == "amount" else entry_of(m)
              for m, f in zip(pos, fate, strict=True) if f != "drop"]
    report += [ReportEntry(psp_reference=f"x-{i}", reference=f"pos-{i}", entry_type="refund", amount=-1)
               for i in range(extra)]

    day = match_day(pos, report)

    kinds = [d.kind for d in day.differences]
    assert kinds.count(DifferenceKind.MISSING_IN_REPORT) == fate.count("drop")
    assert kinds.count(DifferenceKind.AMOUNT_DIFFERS) == fate.count("amount")
    assert kinds.count(DifferenceKind.MISSING_IN_POS) == extra
    assert len(day.matched) == fate.count("keep")
    seen_pos = [x.movement for x in [*day.matched, *day.differences] if x.movement is not None]
    seen_report = [x.entry for x in [*day.matched, *day.differences] if x.entry is not None]
    assert sorted(m.idempotency_key for m in seen_pos) == sorted(m.idempotency_key for m in pos)
    assert sorted(e.psp_reference for e in seen_report) == sorted(e.psp_reference for e in report)
