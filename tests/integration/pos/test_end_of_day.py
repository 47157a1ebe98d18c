"""The end of day as a use case: a Report API in memory, the POS database on disk, no server."""

from __future__ import annotations

import asyncio
import io
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from kasse.pos.day_match import DifferenceKind
from kasse.pos.end_of_day import (
    DateNotClosedError,
    EndOfDay,
    PlatformUnreachableError,
    day_bounds,
    default_day,
    end_of_day,
)
from kasse.pos.end_of_day_export import COLUMNS, day_lines, write_csv
from kasse.pos.movement import Movement, MovementKind
from kasse.sdk import AsyncClient
from tests.unit.pos.eod_fakes import DAY, LEDGER, FakeLedgerReports, a_day, settled
from tests.unit.sdk.fakes import FakeApi


def run(reports: FakeLedgerReports, store: object, day: object = DAY) -> EndOfDay:
    client: AsyncClient = FakeApi().async_client()
    return asyncio.run(end_of_day(reports, client, store, day, "http://127.0.0.1:9"))  # type: ignore[arg-type]


def test_a_day_the_report_shows_exactly_has_no_differences_and_its_payout(tmp_path: Path) -> None:
    store, reports, moves = a_day(tmp_path)

    eod = run(reports, store)

    assert eod.difference_count == 0 and len(eod.match.matched) == len(moves) == 5
    assert (eod.totals.captured, eod.totals.refunded, eod.totals.fees_retained) == (25300, 1900, -400)
    assert eod.totals.payout == eod.totals.expected_payout == 25300 - 1900 - 400
    assert [s.method for s in eod.totals.scenarios] == ["phone", "qr", "scan", "vending"]


def test_a_refund_made_outside_the_pos_is_reported_as_a_difference(tmp_path: Path) -> None:
    store, reports, moves = a_day(tmp_path)
    outside = Movement(idempotency_key="backoffice-1", reference="pos-till1-000001", kind=MovementKind.REFUND,
                       amount=13000, psp_reference="psp-elsewhere")
    reports.funds_by_day[DAY], _ = settled([*moves, outside])

    eod = run(reports, store)

    assert [(d.kind, d.entry and d.entry.psp_reference) for d in eod.match.differences] == [
        (DifferenceKind.MISSING_IN_POS, "psp-elsewhere")]
    assert (eod.totals.payout, eod.totals.expected_payout) == (23000 - 13000, 23000)
    (line,) = [x for x in day_lines(eod) if x.is_difference]
    assert (line.receipt_number, line.scenario, line.detail) == (1, "qr", "in the report, not in the POS")


def test_a_sale_the_report_lacks_and_an_amount_that_differs_are_both_listed(tmp_path: Path) -> None:
    store, reports, _ = a_day(tmp_path)
    funds = reports.funds_by_day[DAY]
    funds[0] = replace(funds[0], amount=12000)
    del funds[1]

    eod = run(reports, store)

    assert sorted(d.kind for d in eod.match.differences) == [DifferenceKind.AMOUNT_DIFFERS,
                                                             DifferenceKind.MISSING_IN_REPORT]


def test_the_days_lines_are_exported_as_csv_with_a_header(tmp_path: Path) -> None:
    store, reports, _ = a_day(tmp_path)
    out = io.StringIO()

    write_csv(run(reports, store), out)

    rows = out.getvalue().splitlines()
    assert rows[0] == ",".join(COLUMNS)
    assert len(rows) == 1 + 5 + 2  # the header, five sales entries, fees retained and the payout
    assert rows[1].startswith("matched,,2026-03-02,") and ",capture,psp-c1,pos-till1-000001,1,qr,13000,13000,NOK" \
        in rows[1]
    assert rows[-1].startswith("settlement,,2026-03-02,") and ",payout-scheduled,100001-1," in rows[-1]


def test_only_the_movements_of_that_local_date_count(tmp_path: Path) -> None:
    store, reports, _ = a_day(tmp_path)

    eod = run(reports, store, DAY + timedelta(days=1))

    assert len(eod.match.matched) == 0 and eod.totals.captured == 0
    assert default_day(store, LEDGER.zone, DAY + timedelta(days=9)) == DAY
    start, end = day_bounds(DAY, LEDGER.zone)
    assert end - start == 86400 and len(store.movements_between(start, end)) == 5


def test_an_unreachable_platform_and_an_open_date_are_errors_of_their_own(tmp_path: Path) -> None:
    store, _, _ = a_day(tmp_path)

    with pytest.raises(PlatformUnreachableError, match=r"^cannot reach http://127\.0\.0\.1:9"):
        run(FakeLedgerReports(unreachable=True), store)
    with pytest.raises(DateNotClosedError):
        run(FakeLedgerReports(open_dates={DAY}), store)
