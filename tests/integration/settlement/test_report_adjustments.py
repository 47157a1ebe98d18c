"""Disputes, top-ups, credit notes and corrections through the control plane, as the Report API then shows them.

Contract §4 no. 32: `retained-disputed-capture −A` / `returned-disputed-capture +A` carry the capture's
pspReference and reference; `top-up`, `credit-note` and `correction` are appended, never rewriting an entry.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.harness import DEMO_CREDENTIALS, InProcessKasse, authorized
from tests.integration.report_support import assert_report_page, merchant_reader


def captured(kasse: InProcessKasse, value: int = 10000) -> tuple[str, str]:
    """Capture a sale; return the ledger id and the capture's pspReference as the funds feed shows it."""
    ref = authorized(kasse.demo, value)
    assert kasse.demo.modify(ref, "capture", value).status_code == 200
    reader = merchant_reader(kasse)
    ledger_id = reader.ledger_id()
    [capture] = [e for e in reader.whole_feed(ledger_id, "funds")[0] if e["reference"] == ref]
    return ledger_id, capture["pspReference"]


def post(kasse: InProcessKasse, path: str, body: dict[str, Any] | None = None) -> Any:
    return kasse.client.post(path, json=body) if body is not None else kasse.client.post(path)


def test_a_dispute_and_its_return_reach_the_feed_and_the_dates_report_with_the_captures_ids(
        kasse: InProcessKasse) -> None:
    ledger_id, psp = captured(kasse)

    held = post(kasse, f"/_kasse/ledgers/{ledger_id}/disputes", {"pspReference": psp})
    back = post(kasse, f"/_kasse/ledgers/{ledger_id}/disputes/{psp}/return")
    assert kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"}).status_code == 200
    reader = merchant_reader(kasse)
    day = held.json()["ledgerDate"]
    report = reader.date(ledger_id, "funds", day).json()

    assert (held.status_code, back.status_code) == (201, 201)
    assert_report_page(report)
    disputes = [e for e in report["items"] if "disputed" in e["entryType"]]
    assert [(e["entryType"], e["amount"]) for e in disputes] == [("retained-disputed-capture", -10000),
                                                                 ("returned-disputed-capture", 10000)]
    capture = next(e for e in report["items"] if e["entryType"] == "capture" and e["pspReference"] == psp)
    assert {(e["pspReference"], e["reference"]) for e in disputes} == {(psp, capture["reference"])}
    assert report["items"][-1]["entryType"] == "payout-scheduled"
    assert report["items"][-1]["amount"] == -(10000 - 175)  # the dispute came back before the close


# one refusal of each kind the routes map (every rule: tests/unit/services/test_settlement_adjustments.py)
@pytest.mark.parametrize(("path", "body", "status", "field"), [
    ("disputes", {"pspReference": "no-such-capture"}, 404, "pspReference"),
    ("disputes", {}, 400, "pspReference"),
    ("disputes/{psp}/return", None, 409, "pspReference"),
    ("adjustments", {"entryType": "top-up", "topic": "fees", "amount": 100}, 400, "topic"),
    ("adjustments", {"entryType": "correction", "amount": "100"}, 400, "amount"),
])
def test_actions_that_make_no_sense_are_refused_naming_the_field(kasse: InProcessKasse, path: str,
                                                                 body: dict[str, Any] | None, status: int,
                                                                 field: str) -> None:
    ledger_id, psp = captured(kasse)
    if body is not None:
        body = {k: (v.format(psp=psp) if isinstance(v, str) else v) for k, v in body.items()}

    r = post(kasse, f"/_kasse/ledgers/{ledger_id}/{path.format(psp=psp)}", body)

    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert field in {d["name"] for d in r.json()["extraDetails"]}


def test_a_second_dispute_of_a_held_capture_is_a_conflict_and_an_unknown_ledger_is_404(kasse: InProcessKasse) -> None:
    ledger_id, psp = captured(kasse)
    assert post(kasse, f"/_kasse/ledgers/{ledger_id}/disputes", {"pspReference": psp}).status_code == 201

    again = post(kasse, f"/_kasse/ledgers/{ledger_id}/disputes", {"pspReference": psp})
    unknown = post(kasse, "/_kasse/ledgers/999999/disputes", {"pspReference": psp})

    assert again.status_code == 409 and unknown.status_code == 404


def test_top_up_credit_note_and_correction_are_appended_and_chain(kasse: InProcessKasse) -> None:
    ledger_id, _ = captured(kasse)

    written = [post(kasse, f"/_kasse/ledgers/{ledger_id}/adjustments", body) for body in (
        {"entryType": "top-up", "amount": 5000, "reference": "invoice-1"},
        {"entryType": "credit-note", "topic": "fees", "amount": 175},
        {"entryType": "correction", "amount": -100})]
    funds, _ = merchant_reader(kasse).whole_feed(ledger_id, "funds")
    fees, _ = merchant_reader(kasse).whole_feed(ledger_id, "fees")

    assert [r.status_code for r in written] == [201, 201, 201]
    assert [(e["entryType"], e["amount"]) for e in funds] == [("capture", 10000), ("top-up", 5000),
                                                              ("correction", -100)]
    assert funds[1]["reference"] == "invoice-1" and funds[-1]["balanceAfter"] == 14900
    assert [(e["entryType"], e["balanceAfter"]) for e in fees] == [("capture-fee", -175), ("credit-note", 0)]
    assert_report_page({"items": funds + fees, "cursor": "x", "tryLater": False})


def test_a_balance_negative_for_60_dates_is_topped_up_by_the_store_on_a_long_clock_move(
        kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo, 10000)
    assert kasse.demo.modify(ref, "capture", 10000).status_code == 200
    assert kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"}).status_code == 200  # paid out
    later = kasse.session(DEMO_CREDENTIALS)  # a fresh token: the day expired the last one
    assert later.modify(ref, "refund", 10000).status_code == 200  # the next date goes negative
    negative_from = date.fromisoformat(kasse.client.get("/_kasse/ledgers").json()["ledgers"][0]["openDate"])

    moved = kasse.client.post("/_kasse/clock/advance", json={"duration": "70d"})
    ledger_id = merchant_reader(kasse).ledger_id()
    funds, _ = merchant_reader(kasse).whole_feed(ledger_id, "funds")

    assert moved.status_code == 200
    [top_up] = [e for e in funds if e["entryType"] == "top-up"]
    assert top_up["ledgerDate"] == (negative_from + timedelta(days=59)).isoformat()
    assert (top_up["amount"], top_up["balanceBefore"], top_up["balanceAfter"]) == (10000, -10000, 0)
    assert funds[-1] == top_up  # nothing after it: no payout of a zero balance
