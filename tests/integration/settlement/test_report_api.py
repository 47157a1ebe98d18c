"""The Report API over HTTP (contract §4 no. 1–22): ledgers, dates, the feed, errors, and the official schemas."""

from __future__ import annotations

from typing import Any

import pytest

from kasse.domain.ledger import EntryType
from tests.harness import InProcessKasse, authorized
from tests.integration.report_support import (
    assert_ledgers,
    assert_report_page,
    merchant_reader,
)


def advance_day(kasse: InProcessKasse) -> dict[str, Any]:
    r = kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def sale(kasse: InProcessKasse, value: int, refund: int = 0) -> str:
    ref = authorized(kasse.demo, value)
    assert kasse.demo.modify(ref, "capture", value).status_code == 200
    if refund:
        assert kasse.demo.modify(ref, "refund", refund).status_code == 200
    return ref


def test_a_merchant_sees_exactly_its_own_ledger(kasse: InProcessKasse) -> None:
    kasse.demo.new_merchant(market="DK")
    reader = merchant_reader(kasse)

    body = reader.get("/settlement/v1/ledgers").json()

    assert_ledgers(body)
    assert body["cursor"] == ""
    [ledger] = body["items"]
    assert ledger["settlesForRecipientHandles"] == ["api:123456"] and ledger["currency"] == "NOK"
    assert ledger["payoutBankAccount"]["scheme"] == "BBAN:NO" and ledger["owner"]["scheme"] == "business:NO:ORG"
    assert ledger["salesUnits"] == [{"name": "kasse demo shop", "recipientHandle": "api:123456"}]


@pytest.mark.parametrize(("handle", "count"), [("api:123456", 1), ("api:999999", 0), ("NO:123456", 0)])
def test_the_handle_filter_keeps_only_that_sales_units_ledger(kasse: InProcessKasse, handle: str, count: int) -> None:
    body = merchant_reader(kasse).get("/settlement/v1/ledgers", settlesForRecipientHandles=handle).json()

    assert len(body["items"]) == count


def test_the_ledger_id_stays_the_same(kasse: InProcessKasse) -> None:
    first = merchant_reader(kasse).ledger_id()
    advance_day(kasse)

    assert merchant_reader(kasse).ledger_id() == first


def test_a_dk_sales_unit_has_a_dkk_ledger(kasse: InProcessKasse) -> None:
    creds = kasse.demo.new_merchant(market="DK")

    [ledger] = merchant_reader(kasse, creds).get("/settlement/v1/ledgers").json()["items"]

    assert ledger["currency"] == "DKK" and ledger["owner"]["scheme"] == "business:DK:CVR"


def test_a_date_not_closed_yet_is_try_later(kasse: InProcessKasse) -> None:
    reader = merchant_reader(kasse)
    today = kasse.client.get("/_kasse/ledgers").json()["ledgers"][0]["openDate"]

    r = reader.date(reader.ledger_id(), "funds", today)

    assert r.status_code == 200
    assert r.json() == {"items": [], "hasMore": False, "tryLater": True}
    assert_report_page(r.json())


def test_a_closed_day_reports_every_entry_with_the_specs_fields(kasse: InProcessKasse) -> None:
    ref = sale(kasse, 20000, refund=5000)
    events = {e["name"]: e["pspReference"] for e in kasse.demo.events(ref).json()}
    day = advance_day(kasse)["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    funds = reader.date(ledger_id, "funds", day).json()
    fees = reader.date(ledger_id, "fees", day).json()

    for body in (funds, fees):
        assert_report_page(body)
        assert body["hasMore"] is False and body["tryLater"] is False and "cursor" not in body
    assert [(e["entryType"], e["amount"]) for e in funds["items"]] == [
        ("capture", 20000), ("refund", -5000), ("fees-retained", -350), ("payout-scheduled", -14650)]
    capture, refund = funds["items"][:2]
    assert capture["pspReference"] == events["CAPTURED"] and refund["pspReference"] == events["REFUNDED"]
    assert capture["reference"] == refund["reference"] == ref
    assert capture["recipientHandle"] == "api:123456" and capture["ledgerDate"] == day
    assert capture["time"].endswith("Z") and len(capture["time"].split(".")[1]) == 7
    payout = funds["items"][-1]
    assert payout["pspReference"] == f"{ledger_id}-1" and payout["balanceAfter"] == 0
    assert [(e["entryType"], e["pspReference"]) for e in fees["items"]] == [
        ("capture-fee", capture["pspReference"]), ("fees-retained", funds["items"][2]["pspReference"])]


def test_a_closed_day_without_activity_is_empty(kasse: InProcessKasse) -> None:
    day = advance_day(kasse)["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)

    body = reader.date(reader.ledger_id(), "fees", day).json()

    assert body == {"items": [], "hasMore": False, "tryLater": False}


def test_the_feed_starts_at_the_first_entry_and_ends_with_try_later_and_the_same_cursor(kasse: InProcessKasse) -> None:
    sale(kasse, 10000)
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    first = reader.feed(ledger_id, "funds").json()
    end = reader.feed(ledger_id, "funds", cursor=first["cursor"]).json()

    assert_report_page(first)
    assert [e["amount"] for e in first["items"]] == [10000] and first["tryLater"] is False
    assert end == {"items": [], "cursor": first["cursor"], "tryLater": True}
    assert_report_page(end)


def test_a_new_capture_shows_up_after_the_end_of_feed_cursor(kasse: InProcessKasse) -> None:
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()
    empty = reader.feed(ledger_id, "funds").json()
    assert empty["items"] == [] and empty["tryLater"] is True and empty["cursor"]

    sale(kasse, 4200)
    after = reader.feed(ledger_id, "funds", cursor=empty["cursor"]).json()

    assert [e["amount"] for e in after["items"]] == [4200] and after["cursor"] != empty["cursor"]


def test_no_funds_entry_follows_the_payout_on_its_date(kasse: InProcessKasse) -> None:
    sale(kasse, 10000)
    day = advance_day(kasse)["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)

    items = reader.date(reader.ledger_id(), "funds", day).json()["items"]

    assert items[-1]["entryType"] == EntryType.PAYOUT_SCHEDULED.value


def test_gdpr_sensitive_data_changes_nothing_on_an_api_ledger(kasse: InProcessKasse) -> None:
    sale(kasse, 10000)
    day = advance_day(kasse)["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    plain = reader.date(ledger_id, "funds", day).json()
    asked = reader.date(ledger_id, "funds", day, includeGDPRSensitiveData="true").json()

    assert asked == plain and "maskedPhoneNo" not in plain["items"][0]
    assert {e["currency"] for e in plain["items"]} == {"NOK"}
