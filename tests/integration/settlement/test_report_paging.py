"""Pages of 1,000, the feed equal to the dates, and cursors that survive a restart (contract §4 no. 12, 13, 19, 21)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from kasse.bootstrap import build
from kasse.server import create_app
from tests.harness import InProcessKasse
from tests.integration.report_support import ReportReader, book_captures, merchant_reader

CAPTURES = 2500


def balances_chain(items: list[dict[str, Any]]) -> None:
    for before, after in itertools.pairwise(items):
        assert after["balanceBefore"] == before["balanceAfter"]
    for item in items:
        assert item["balanceAfter"] == item["balanceBefore"] + item["amount"]


def closed_bulk_day(kasse: InProcessKasse) -> tuple[ReportReader, str, str]:
    book_captures(kasse, "123456", CAPTURES, kasse.container.clock.now())
    r = kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"})
    reader = merchant_reader(kasse)
    return reader, reader.ledger_id(), r.json()["closedLedgerDates"][0]["ledgerDate"]


def test_a_closed_date_of_2500_captures_comes_in_pages_of_1000_once_each(kasse: InProcessKasse) -> None:
    reader, ledger_id, day = closed_bulk_day(kasse)

    first = reader.date(ledger_id, "funds", day).json()
    funds = reader.whole_date(ledger_id, "funds", day)
    fees = reader.whole_date(ledger_id, "fees", day)

    assert len(first["items"]) == 1000 and first["hasMore"] is True and first["cursor"]
    assert len(funds) == CAPTURES + 2 and len(fees) == CAPTURES + 1
    assert len({(e["pspReference"], e["entryType"]) for e in funds}) == len(funds)
    assert [e["entryType"] for e in funds[-2:]] == ["fees-retained", "payout-scheduled"]
    balances_chain(funds)
    balances_chain(fees)
    assert funds[-1]["balanceAfter"] == 0 and fees[-1]["balanceAfter"] == 0


def test_fetching_a_closed_date_again_gives_the_same_items(kasse: InProcessKasse) -> None:
    reader, ledger_id, day = closed_bulk_day(kasse)

    assert reader.whole_date(ledger_id, "funds", day) == reader.whole_date(ledger_id, "funds", day)


def test_the_feed_is_the_dates_reports_one_after_another(kasse: InProcessKasse) -> None:
    reader, ledger_id, day = closed_bulk_day(kasse)
    book_captures(kasse, "123456", 3, kasse.container.clock.now(), amount=700, prefix="next")
    second = kasse.client.post("/_kasse/clock/advance", json={"duration": "1d"}).json()["closedLedgerDates"][0]
    reader = merchant_reader(kasse)

    for topic in ("funds", "fees"):
        dates = reader.whole_date(ledger_id, topic, day) + reader.whole_date(ledger_id, topic, second["ledgerDate"])
        fed, _ = reader.whole_feed(ledger_id, topic)

        assert fed == dates
        balances_chain(fed)


def _restarted(kasse: InProcessKasse) -> Iterator[InProcessKasse]:
    settings = kasse.container.settings
    kasse.client.__exit__(None, None, None)
    kasse.container.db.close()
    container = build(settings)
    try:
        with TestClient(create_app(container), base_url="http://127.0.0.1:8000") as client:
            yield InProcessKasse(container, client)
    finally:
        container.db.close()


def test_a_feed_cursor_survives_a_restart_with_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    from tests.harness import in_process

    for kasse in in_process(tmp_path):
        book_captures(kasse, "123456", 1500, kasse.container.clock.now())
        reader = merchant_reader(kasse)
        ledger_id = reader.ledger_id()
        page = reader.feed(ledger_id, "funds").json()
        seen, cursor = page["items"], page["cursor"]
        for again in _restarted(kasse):
            book_captures(again, "123456", 10, again.container.clock.now(), amount=555, prefix="after")
            rest, _ = merchant_reader(again).whole_feed(ledger_id, "funds", cursor)

            everything = seen + rest
            assert len(everything) == 1510
            assert len({e["pspReference"] for e in everything}) == 1510
            balances_chain(everything)
        break
