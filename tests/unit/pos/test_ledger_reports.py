"""The end of day's Report API adapter over the SDK, on the wire (httpx MockTransport): its ledger, an open
date, and entries as the report writes them."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

import httpx
import pytest

from kasse.pos.day_match import ReportEntry
from kasse.pos.end_of_day import DateNotClosedError, EndOfDayError, Ledger
from kasse.pos.ledger_reports import SdkLedgerReports
from tests.unit.sdk.fakes import CREDENTIALS, FakeApi

DAY = date(2026, 3, 2)
LEDGER = {"ledgerId": "300001", "currency": "NOK", "payoutBankAccount": {"scheme": "BBAN:NO", "id": "86011117947"},
          "owner": {"scheme": "business:NO:ORG", "id": "987654321"}, "settlesForRecipientHandles": ["api:123456"],
          "salesUnits": [{"name": "Café Kasse", "recipientHandle": "api:123456"}]}
CAPTURE = {"pspReference": "psp-1", "time": "2026-03-02T08:00:00.184719Z", "ledgerDate": "2026-03-02",
           "entryType": "capture", "reference": "pos-1", "currency": "NOK", "amount": 14000, "balanceBefore": 0,
           "balanceAfter": 14000, "recipientHandle": "api:123456"}
FUNDS = f"/report/v2/ledgers/300001/funds/dates/{DAY.isoformat()}"


def reports(api: FakeApi) -> SdkLedgerReports:
    return SdkLedgerReports(api.async_client(), CREDENTIALS["merchant_serial_number"])


def call(coroutine: Any) -> Any:
    return asyncio.run(coroutine)


def test_the_pos_reads_its_own_sales_units_ledger() -> None:
    api = FakeApi().script("/settlement/v1/ledgers", httpx.Response(200, json={"items": [LEDGER], "cursor": ""}))

    found = call(reports(api).ledger())

    assert found == Ledger("300001", "NOK")
    assert api.to("/settlement/v1/ledgers")[0].url.params["settlesForRecipientHandles"] == "api:123456"


def test_no_ledger_for_the_sales_unit_is_said_plainly() -> None:
    api = FakeApi().script("/settlement/v1/ledgers", httpx.Response(200, json={"items": [], "cursor": ""}))

    with pytest.raises(EndOfDayError, match="no ledger for sales unit 123456"):
        call(reports(api).ledger())


def test_entries_keep_the_reports_amounts_references_and_time() -> None:
    page = {"items": [CAPTURE], "hasMore": False, "tryLater": False}

    found = call(reports(FakeApi().script(FUNDS, httpx.Response(200, json=page))).funds("300001", DAY))

    assert found == [ReportEntry(psp_reference="psp-1", reference="pos-1", entry_type="capture", amount=14000,
                                 balance_before=0, balance_after=14000, time="2026-03-02T08:00:00.184719Z",
                                 ledger_date="2026-03-02")]


def test_a_date_not_closed_yet_is_its_own_error() -> None:
    api = FakeApi().script(FUNDS, httpx.Response(200, json={"items": [], "tryLater": True}))

    with pytest.raises(DateNotClosedError, match="2026-03-02 is not closed yet"):
        call(reports(api).funds("300001", DAY))
