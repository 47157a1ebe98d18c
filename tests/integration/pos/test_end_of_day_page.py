"""The end-of-day page, its CSV download and its JSON, served in process over a Report API in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from kasse.pos import end_of_day_routes, routes
from kasse.pos.movement import Movement, MovementKind
from kasse.pos.service import PosService
from tests.integration.pos_support import config
from tests.unit.pos.eod_fakes import DAY, NOON, FakeLedgerReports, a_day, settled
from tests.unit.sdk.fakes import FakeApi


@pytest.fixture
def till(tmp_path: Path) -> Iterator[tuple[TestClient, FakeLedgerReports, list[Movement]]]:
    store, reports, moves = a_day(tmp_path)
    service = PosService(FakeApi().async_client(), store, config("http://127.0.0.1:9", tmp_path / "pos.db"),
                         reports=reports, now=lambda: NOON)
    app = FastAPI()
    app.state.pos = SimpleNamespace(service=service)
    app.include_router(routes.router)
    app.include_router(end_of_day_routes.router)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield client, reports, moves
    store.close()


def test_the_page_shows_no_differences_the_totals_and_the_payout(till: tuple[TestClient, FakeLedgerReports,
                                                                             list[Movement]]) -> None:
    client, _, _ = till

    page = client.get("/pos/end-of-day", params={"date": "2026-03-02"})

    assert page.status_code == 200
    for shown in ("No differences.", "5 matched", "Ledger 100001", "QR on display", "Scanned personal QR",
                  "Phone number", "Vending machine", "15 %", "230,00 kr", "100001-1", "−4,00 kr", "−19,00 kr",
                  'href="/pos/end-of-day.csv?date=2026-03-02"', "window.print()", "end_of_day.css",
                  ">12:00:00<", "4 captures", "1 refund<"):
        assert shown in page.text, shown


def test_without_a_date_the_page_shows_the_day_of_the_latest_sale(till: tuple[TestClient, FakeLedgerReports,
                                                                               list[Movement]]) -> None:
    page = till[0].get("/pos/end-of-day")

    assert page.status_code == 200 and 'value="2026-03-02"' in page.text and "No differences." in page.text


def test_a_planted_difference_is_listed_on_the_page_and_in_the_json(till: tuple[TestClient, FakeLedgerReports,
                                                                                 list[Movement]]) -> None:
    client, reports, moves = till
    outside = Movement(idempotency_key="x", reference=moves[0].reference, kind=MovementKind.REFUND, amount=500,
                       psp_reference="psp-outside")
    reports.funds_by_day[DAY], _ = settled([*moves, outside])

    page = client.get("/pos/end-of-day", params={"date": DAY.isoformat()})
    data = client.get("/pos/api/end-of-day", params={"date": DAY.isoformat()}).json()

    assert "1 difference</strong>" in page.text and "in the report, not in the POS" in page.text
    assert [(d["status"], d["pspReference"], d["reportAmount"]) for d in data["differences"]] == [
        ("missing_in_pos", "psp-outside", -500)]
    assert data["totals"]["payout"] == data["totals"]["expectedPayout"] - 500


def test_a_date_in_the_path_leads_to_that_dates_page(till: tuple[TestClient, FakeLedgerReports,
                                                                  list[Movement]]) -> None:
    page = till[0].get("/pos/end-of-day/2026-03-02")

    assert page.status_code == 200 and str(page.url).endswith("/pos/end-of-day?date=2026-03-02")
    assert "No differences." in page.text


def test_the_csv_is_a_download_named_after_the_date(till: tuple[TestClient, FakeLedgerReports,
                                                                 list[Movement]]) -> None:
    response = till[0].get("/pos/end-of-day.csv", params={"date": "2026-03-02"})

    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert 'filename="end-of-day-2026-03-02.csv"' in response.headers["content-disposition"]
    assert response.text.startswith("status,detail,ledgerDate,")


@pytest.mark.parametrize("path", ["/pos/end-of-day", "/pos/end-of-day.csv", "/pos/api/end-of-day"])
def test_a_bad_date_is_refused_with_a_clear_message(till: tuple[TestClient, FakeLedgerReports, list[Movement]],
                                                    path: str) -> None:
    response = till[0].get(path, params={"date": "2026-13-45"})

    assert response.status_code == 400 and "YYYY-MM-DD" in response.text


def test_an_unreachable_platform_and_an_open_date_are_said_plainly(till: tuple[TestClient, FakeLedgerReports,
                                                                                list[Movement]]) -> None:
    client, reports, _ = till
    reports.open_dates.add(DAY)
    open_page = client.get("/pos/end-of-day", params={"date": DAY.isoformat()})
    reports.unreachable = True
    down = client.get("/pos/end-of-day", params={"date": DAY.isoformat()})
    down_json = client.get("/pos/api/end-of-day", params={"date": DAY.isoformat()})

    assert open_page.status_code == 200 and "not closed yet" in open_page.text
    assert down.status_code == 502 and "cannot reach http://127.0.0.1:9" in down.text
    assert down_json.status_code == 502 and down_json.json()["message"].startswith("cannot reach")


def test_the_tills_navigation_links_to_the_end_of_day(till: tuple[TestClient, FakeLedgerReports,
                                                                  list[Movement]]) -> None:
    page = till[0].get("/pos/end-of-day", params={"date": DAY.isoformat()})

    assert '<a href="/pos/end-of-day" class="on">End of day</a>' in page.text
