"""The console's Ledgers page: each ledger with its balances, its entries by date after a close, its payouts."""

from __future__ import annotations

import re

import pytest

from tests.harness import InProcessKasse, authorized


def demo_ledger_id(kasse: InProcessKasse) -> str:
    ledger = kasse.container.db.read(lambda uow: uow.ledgers.for_msn("123456"))
    assert ledger is not None
    return str(ledger.ledger_id)


def test_every_ledger_is_listed_with_its_unit(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/ledgers")

    assert page.status_code == 200
    assert f'href="/console/ledgers/{demo_ledger_id(kasse)}"' in page.text
    assert "kasse demo shop" in page.text


def test_a_capture_then_a_day_shows_its_entries_and_the_payout(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo, 10000)
    kasse.demo.modify(ref, "capture", 10000)

    moved = kasse.client.post("/console/time/advance", data={"duration": "1d", "back": "/console/ledgers"},
                              follow_redirects=False)
    page = kasse.client.get(f"/console/ledgers/{demo_ledger_id(kasse)}").text

    assert moved.headers["location"].startswith("/console/ledgers?notice=")
    assert "paid out" in kasse.client.get(moved.headers["location"]).text
    for entry_type in ("capture", "capture-fee", "fees-retained", "payout-scheduled"):
        assert f'data-type="{entry_type}"' in page
    assert f'href="/console/payments/123456/{ref}"' in page
    assert re.search(r'<table class="stack" id="payouts">', page)


@pytest.mark.parametrize("date", ["yesterday", "2026-13-01", "2026-12-01x"])
def test_a_bad_date_is_a_400_page(kasse: InProcessKasse, date: str) -> None:
    answer = kasse.client.get(f"/console/ledgers/{demo_ledger_id(kasse)}", params={"date": date})

    assert answer.status_code == 400
    assert "date must be a date" in answer.text


def test_an_unknown_ledger_is_a_404_page(kasse: InProcessKasse) -> None:
    answer = kasse.client.get("/console/ledgers/nope")

    assert answer.status_code == 404
    assert "No ledger nope" in answer.text


def test_the_advance_shortcut_returns_only_to_pages_it_knows(kasse: InProcessKasse) -> None:
    moved = kasse.client.post("/console/time/advance", data={"duration": "1m", "back": "https://example.com/"},
                              follow_redirects=False)

    assert moved.headers["location"].startswith("/console/time?")
