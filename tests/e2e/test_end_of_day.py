"""Done means (issue 16): a day of POS sales in all four scenarios with a refund, `kasse clock advance 1d`, the
end of day shows no difference and the payout; then a sale refunded outside the POS is reported."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import httpx
import pytest

from kasse.pos.cart import kr
from kasse.sdk import Amount, Client
from tests.e2e.eod_day import OSLO, SalesDay, kasse, sell_a_day
from tests.harness import SHOP_CREDENTIALS, ServerProcess

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("end-of-day") / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def sales_day(platform: ServerProcess) -> SalesDay:
    day = sell_a_day(platform)
    closed = kasse(platform, "clock", "advance", "1d")
    assert closed.exit_code == 0 and day.day.isoformat() in closed.output, closed.output
    return day


def refund_outside_the_pos(platform: ServerProcess, reference: str, value: int) -> None:
    creds = SHOP_CREDENTIALS  # the embedded POS's sales unit
    with Client(client_id=creds.client_id, client_secret=creds.client_secret, subscription_key=creds.subscription_key,
                merchant_serial_number=creds.msn, base_url=platform.url) as client:
        client.payments.refund(reference, Amount.nok(value), idempotency_key=f"back-office-{reference}"[:50])


def test_the_day_matches_the_report_and_shows_its_payout(platform: ServerProcess, sales_day: SalesDay,
                                                          tmp_path: Path) -> None:
    out = tmp_path / "day.csv"

    result = kasse(platform, "pos", "reconcile", "--date", sales_day.day.isoformat(), "--csv", str(out))

    assert result.exit_code == 0, result.output
    assert "5 matched, 0 difference(s)" in result.output  # four captures and the refund
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert sorted(r["scenario"] for r in rows if r["entryType"] == "capture") == ["phone", "qr", "scan", "vending"]
    assert {r["status"] for r in rows} == {"matched", "settlement"}
    (payout,) = [r for r in rows if r["entryType"] == "payout-scheduled"]
    captured = sum(int(r["reportAmount"]) for r in rows if r["entryType"] == "capture")
    retained = sum(int(r["reportAmount"]) for r in rows if r["entryType"] == "fees-retained")
    assert int(payout["reportAmount"]) == -(captured - 1000 + retained) and retained < 0
    assert f"Payout {kr(-int(payout['reportAmount']))}" in result.output
    assert f"expected from the POS's sales {kr(-int(payout['reportAmount']))}" in result.output


def test_the_end_of_day_page_shows_no_difference_and_the_payout(platform: ServerProcess,
                                                                sales_day: SalesDay) -> None:
    page = httpx.get(f"{platform.url}/pos/end-of-day", params={"date": sales_day.day.isoformat()}, trust_env=False)
    data = httpx.get(f"{platform.url}/pos/api/end-of-day", params={"date": sales_day.day.isoformat()},
                     trust_env=False).json()

    assert page.status_code == 200 and "No differences." in page.text
    assert data["differences"] == [] and data["matched"] == 5
    assert data["totals"]["payout"] == data["totals"]["expectedPayout"] > 0
    assert kr(data["totals"]["payout"]) in page.text


def test_a_sale_refunded_outside_the_pos_is_reported_on_its_date(platform: ServerProcess,
                                                                  sales_day: SalesDay) -> None:
    next_day = (sales_day.day + timedelta(days=1)).isoformat()
    refund_outside_the_pos(platform, sales_day.vending_sale, 500)
    assert kasse(platform, "clock", "advance", "1d").exit_code == 0

    result = kasse(platform, "pos", "reconcile", "--date", next_day)

    assert result.exit_code == 1, result.output
    assert "in the report, not in the POS" in result.output and sales_day.vending_sale in result.output
    assert "0 matched, 1 difference(s)" in result.output
    assert kasse(platform, "pos", "reconcile", "--date", sales_day.day.isoformat()).exit_code == 0


def test_an_unreachable_platform_exits_2_naming_it(platform: ServerProcess, sales_day: SalesDay) -> None:
    gone = ServerProcess(platform.database)  # a port nobody listens on

    result = kasse(gone, "pos", "reconcile", "--date", sales_day.day.isoformat())

    assert result.exit_code == 2 and result.output.startswith(f"cannot reach {gone.url}"), result.output


def test_a_date_not_closed_yet_exits_2_and_says_so(platform: ServerProcess, sales_day: SalesDay) -> None:
    now = datetime.fromisoformat(httpx.get(f"{platform.url}/_kasse/clock", trust_env=False).json()["now"])
    today = now.astimezone(OSLO).date().isoformat()

    result = kasse(platform, "pos", "reconcile", "--date", today)

    assert result.exit_code == 2 and f"ledger date {today} is not closed yet" in result.output, result.output
