"""A clock move answers the ledger dates it closed with the payouts they scheduled (issue #16 item 6)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from kasse.services.ledger_closing import dates_passed
from tests.harness import InProcessKasse, authorized


def sold_then_moved(kasse: InProcessKasse, value: int = 10000) -> dict[str, Any]:
    ref = authorized(kasse.demo, value)
    assert kasse.demo.modify(ref, "capture", value).status_code == 200
    r = kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_clock_move_lists_the_payout_each_closed_date_scheduled(kasse: InProcessKasse) -> None:
    body = sold_then_moved(kasse)

    # the demo unit's date; the till's own unit (123457) closes its empty dates beside it, with no payout
    [payout] = [p for closed in body["closedLedgerDates"] for p in closed["payouts"]]
    ledger_ids = {ledger["ledgerId"] for ledger in kasse.client.get("/_kasse/ledgers").json()["ledgers"]}
    assert payout["ledgerId"] in ledger_ids
    assert payout == {"ledgerId": payout["ledgerId"], "msn": "123456", "pspReference": f"{payout['ledgerId']}-1",
                      "amount": 10000 - 175, "currency": "NOK"}


def test_dates_a_closing_loop_closed_first_still_show_their_payouts(kasse: InProcessKasse) -> None:
    sold_then_moved(kasse)
    now = kasse.container.clock.now()

    passed = kasse.container.db.read(lambda uow: dates_passed(uow, now - timedelta(days=1), now))

    paid = [p for p in passed if p.payout is not None]  # the till's own unit sold nothing: its dates pay nothing
    assert [(p.payout, p.payout_id) for p in paid] == [(9825, f"{paid[0].ledger_id}-1")]
