"""Report faults on the fault board (docs/faults.md): lag, a date that stays open, an aborted payout, a correction."""

from __future__ import annotations

from typing import Any

from tests.harness import InProcessKasse, authorized
from tests.integration.report_support import merchant_reader


def arm(kasse: InProcessKasse, kind: str, **extra: Any) -> None:
    r = kasse.client.post("/_kasse/faults", json={"msn": "123456", "kind": kind, **extra})
    assert r.status_code == 201, r.text


def sale(kasse: InProcessKasse, value: int) -> None:
    ref = authorized(kasse.demo, value)
    assert kasse.demo.modify(ref, "capture", value).status_code == 200


def advance(kasse: InProcessKasse, duration: str) -> dict[str, Any]:
    r = kasse.client.post("/_kasse/clock/advance", json={"duration": duration})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_report_lag_holds_new_entries_back_for_its_seconds(kasse: InProcessKasse) -> None:
    arm(kasse, "report.lag", delaySeconds=60)
    sale(kasse, 10000)
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    early = reader.feed(ledger_id, "funds").json()
    advance(kasse, "61s")
    late = reader.feed(ledger_id, "funds", cursor=early["cursor"]).json()

    assert early["items"] == [] and early["tryLater"] is True
    assert [e["amount"] for e in late["items"]] == [10000]


def test_report_lag_without_delay_seconds_is_refused_naming_it(kasse: InProcessKasse) -> None:
    r = kasse.client.post("/_kasse/faults", json={"msn": "123456", "kind": "report.lag"})

    assert r.status_code == 400 and [d["name"] for d in r.json()["extraDetails"]] == ["delaySeconds"]


def test_a_date_held_open_answers_try_later_until_disarmed(kasse: InProcessKasse) -> None:
    sale(kasse, 10000)
    day = advance(kasse, "1d")["closedLedgerDates"][0]["ledgerDate"]
    arm(kasse, "report.date-open", times=2)
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    held = [reader.date(ledger_id, "funds", day).json() for _ in range(2)]
    after = reader.date(ledger_id, "funds", day).json()

    assert held == [{"items": [], "hasMore": False, "tryLater": True}] * 2
    assert after["tryLater"] is False and after["items"][-1]["entryType"] == "payout-scheduled"


def test_an_aborted_payout_comes_back_as_the_next_dates_first_entry(kasse: InProcessKasse) -> None:
    arm(kasse, "report.payout-aborted", times=1)
    sale(kasse, 10000)
    first = advance(kasse, "1d")["closedLedgerDates"][0]["ledgerDate"]
    second = advance(kasse, "1d")["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()

    day1 = reader.date(ledger_id, "funds", first).json()["items"]
    day2 = reader.date(ledger_id, "funds", second).json()["items"]

    assert day1[-1]["entryType"] == "payout-scheduled"
    assert [(e["entryType"], e["amount"]) for e in day2] == [
        ("payout-aborted", -day1[-1]["amount"]), ("payout-scheduled", day1[-1]["amount"])]
    assert day2[1]["pspReference"] == f"{ledger_id}-2"


def test_an_armed_correction_appears_at_the_next_closing(kasse: InProcessKasse) -> None:
    arm(kasse, "report.correction", times=1)
    sale(kasse, 10000)
    day = advance(kasse, "1d")["closedLedgerDates"][0]["ledgerDate"]
    reader = merchant_reader(kasse)

    items = reader.date(reader.ledger_id(), "funds", day).json()["items"]

    assert [e["entryType"] for e in items] == ["capture", "correction", "fees-retained", "payout-scheduled"]
    assert items[1]["amount"] == -100 and items[-1]["balanceAfter"] == 0
