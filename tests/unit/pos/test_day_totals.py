"""The end of day's sums: by scenario, VAT per rate net of refunds, fees, and the payout the POS expects."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from kasse.pos.cart import allocate, vat_included
from kasse.pos.day_match import ReportEntry
from kasse.pos.day_totals import ScenarioTotal, VatTotal, day_totals, vat_of
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.sale import Sale


def line(total: int, rate: int) -> dict[str, object]:
    return {"id": "x", "name": "x", "quantity": 1, "unitPrice": total, "total": total,
            "vat": vat_included(total, rate), "vatRate": rate}


def sale(reference: str, method: str, *lines: dict[str, object]) -> Sale:
    total = sum(int(str(ln["total"])) for ln in lines)
    return Sale(reference=reference, terminal="till-1", receipt_number=1, method=method, total=total,
                lines=list(lines), captured=total)


def moved(reference: str, kind: MovementKind, amount: int) -> Movement:
    return Movement(idempotency_key=f"{kind}-{reference}-{amount}", reference=reference, kind=kind, amount=amount,
                    psp_reference=f"psp-{kind}-{reference}", at=1.0)


def entry(entry_type: str, amount: int, before: int) -> ReportEntry:
    return ReportEntry(psp_reference=entry_type, reference=None, entry_type=entry_type, amount=amount,
                       balance_before=before, balance_after=before + amount)


SALES = {"a": sale("a", "qr", line(4900, 1500), line(14900, 2500)), "b": sale("b", "phone", line(3900, 1500)),
         "c": sale("c", "vending", line(3500, 1500))}
MOVES = [moved("a", MovementKind.CAPTURE, 19800), moved("b", MovementKind.CAPTURE, 3900),
         moved("c", MovementKind.CAPTURE, 3500), moved("b", MovementKind.REFUND, 3900)]


def test_sales_are_summed_by_scenario_with_their_refunds() -> None:
    totals = day_totals(MOVES, SALES, [], [])

    assert totals.scenarios == (ScenarioTotal("phone", 1, 3900, 1, 3900), ScenarioTotal("qr", 1, 19800, 0, 0),
                                ScenarioTotal("vending", 1, 3500, 0, 0))
    assert (totals.captured, totals.refunded, totals.net_sales) == (27200, 3900, 23300)
    assert [m.reference for m in totals.refunds] == ["b"]


def test_vat_per_rate_takes_the_receipts_lines_and_takes_refunds_off() -> None:
    totals = day_totals(MOVES, SALES, [], [])

    assert totals.vat == (VatTotal(2500, 14900, 2980), VatTotal(1500, 4900 + 3500, 639 + 457))


def test_a_partial_refund_is_spread_over_the_sales_vat_rates() -> None:
    parts = vat_of(moved("a", MovementKind.REFUND, 9900), SALES["a"])

    assert parts == {1500: (-2450, -320), 2500: (-7450, -1490)}
    assert sum(gross for gross, _ in parts.values()) == -9900


def test_fees_and_the_payout_come_from_the_report_and_the_expected_payout_from_the_pos() -> None:
    funds = [entry("capture", 27200, 500), entry("refund", -3900, 27700), entry("fees-retained", -816, 23800),
             entry("payout-scheduled", -22984, 22984)]
    fees = [entry("capture-fee", -272, 0), entry("capture-fee", -544, -272), entry("fees-retained", 816, -816)]

    totals = day_totals(MOVES, SALES, funds, fees)

    assert (totals.capture_fees, totals.fees_retained) == (-816, -816)
    assert (totals.opening_balance, totals.closing_balance) == (500, 0)
    assert (totals.payout, totals.expected_payout) == (22984, 500 + 23300 - 816)


def test_a_day_with_no_report_entries_expects_what_the_pos_sold() -> None:
    totals = day_totals(MOVES, SALES, [], [])

    assert (totals.payout, totals.expected_payout, totals.payouts) == (0, 23300, ())


@given(st.integers(-10**8, 10**8), st.lists(st.integers(0, 10**6), min_size=1, max_size=8))
def test_allocation_adds_up_and_follows_the_weights(amount: int, weights: list[int]) -> None:
    parts = allocate(amount, weights)

    assert sum(parts) == amount
    whole = sum(weights)
    if whole:
        assert all(abs(p * whole - amount * w) < whole for p, w in zip(parts, weights, strict=True))
