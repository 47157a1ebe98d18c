"""`client.reports` (sync and async) against an in-process kasse: ledgers, a date's pages, the feed and its cursor."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from kasse.sdk import AsyncClient, Client, EntryType, NotFoundError
from tests.harness import DEMO_CREDENTIALS, InProcessKasse, authorized, in_process
from tests.integration.sdk.conftest import sdk_options

BASE = "http://127.0.0.1:8000"


@pytest.fixture
def kasse(tmp_path: Path) -> Iterator[InProcessKasse]:
    yield from in_process(tmp_path)


@pytest.fixture
def client(kasse: InProcessKasse) -> Iterator[Client]:
    with Client(**sdk_options(DEMO_CREDENTIALS), base_url=BASE, transport=kasse.client._transport) as sdk:
        yield sdk


def sale(kasse: InProcessKasse, value: int, refund: int = 0) -> str:
    ref = authorized(kasse.demo, value)
    assert kasse.demo.modify(ref, "capture", value).status_code == 200
    if refund:
        assert kasse.demo.modify(ref, "refund", refund).status_code == 200
    return ref


def closed_date(kasse: InProcessKasse) -> str:
    r = kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"})
    assert r.status_code == 200, r.text
    return str(r.json()["closedLedgerDates"][-1]["ledgerDate"])


def test_ledgers_lists_the_sales_units_own_ledger(client: Client) -> None:
    ledgers = client.reports.ledgers()

    assert [ledger.settles_for_recipient_handles for ledger in ledgers] == [("api:123456",)]
    assert ledgers[0].currency == "NOK"
    assert ledgers[0].sales_units[0].recipient_handle == "api:123456"


def test_funds_and_fees_of_a_closed_date_follow_every_page(kasse: InProcessKasse, client: Client) -> None:
    ref = sale(kasse, 20000, refund=5000)
    day = closed_date(kasse)
    ledger = client.reports.ledgers()[0]

    funds = client.reports.funds(ledger, day)
    fees = client.reports.fees(ledger.ledger_id, day)

    assert not funds.try_later
    assert [e.entry_type for e in funds.entries] == ["capture", "refund", "fees-retained", "payout-scheduled"]
    assert funds.entries[0].reference == ref
    assert funds.entries[-1].balance_after == 0
    assert [e.entry_type for e in fees.entries] == [EntryType.CAPTURE_FEE, EntryType.FEES_RETAINED]
    assert fees.entries[0].psp_reference == funds.entries[0].psp_reference


def test_an_open_date_is_try_later(kasse: InProcessKasse, client: Client) -> None:
    ledger = client.reports.ledgers()[0]

    report = client.reports.funds(ledger, "2099-01-01")

    assert report.try_later and report.entries == ()


def test_the_feed_stops_at_its_end_and_resumes_from_the_cursor(kasse: InProcessKasse, client: Client) -> None:
    sale(kasse, 10000)
    ledger = client.reports.ledgers()[0]
    feed = client.reports.feed(ledger, "funds")

    first = list(feed)
    saved = feed.cursor
    sale(kasse, 3000)
    later = list(client.reports.feed(ledger, "funds", cursor=saved))

    assert [e.amount for e in first] == [10000]
    assert [e.amount for e in later] == [3000]
    assert later[0].balance_before == first[-1].balance_after


def test_a_ledger_of_another_sales_unit_is_not_found(kasse: InProcessKasse, client: Client) -> None:
    other = kasse.demo.new_merchant()
    theirs = kasse.client.get("/_kasse/ledgers").json()["ledgers"]
    other_id = next(entry["ledgerId"] for entry in theirs if entry["msn"] == other.msn)

    with pytest.raises(NotFoundError):
        client.reports.funds(other_id, "2020-01-01")


def test_the_async_client_reads_the_same(kasse: InProcessKasse) -> None:
    sale(kasse, 7000)
    day = closed_date(kasse)

    async def read() -> tuple[list[int], list[str]]:
        transport = httpx.ASGITransport(app=kasse.client.app)
        async with AsyncClient(**sdk_options(DEMO_CREDENTIALS), base_url=BASE, transport=transport) as sdk:
            ledger = (await sdk.reports.ledgers())[0]
            amounts = [e.amount async for e in sdk.reports.feed(ledger, "funds")]
            report = await sdk.reports.funds(ledger, day)
            return amounts, [e.entry_type for e in report.entries]

    amounts, types = asyncio.run(read())

    assert amounts[0] == 7000
    assert types[0] == "capture" and types[-1] == "payout-scheduled"
