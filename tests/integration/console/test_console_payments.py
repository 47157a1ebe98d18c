"""The console's payments list: every sales unit's payments newest first, its filters, its keyset pages."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from kasse.console import payments as listing
from tests.harness import InProcessKasse, authorized, create_body, new_reference


def shown(kasse: InProcessKasse, query: str = "") -> list[str]:
    page = kasse.client.get(f"/console/payments{query}")
    assert page.status_code == 200, page.text
    return re.findall(r'<tr data-reference="([^"]+)"', page.text)


def created(kasse: InProcessKasse, prefix: str, n: int) -> list[str]:
    refs = []
    for _ in range(n):
        ref = new_reference(prefix)
        assert kasse.demo.create(create_body(ref)).status_code == 201
        refs.append(ref)
    return refs


def test_every_sales_unit_s_payments_are_listed_newest_first(kasse: InProcessKasse) -> None:
    other = kasse.session(kasse.demo.new_merchant())
    first = created(kasse, "mine", 2)
    theirs = new_reference("theirs")
    assert other.create(create_body(theirs)).status_code == 201

    assert shown(kasse) == [theirs, *reversed(first)]
    assert shown(kasse, f"?msn={other.creds.msn}") == [theirs]
    assert shown(kasse, f"?msn={kasse.demo.creds.msn}") == list(reversed(first))


def test_the_state_filter_shows_only_that_state(kasse: InProcessKasse) -> None:
    waiting = created(kasse, "wait", 1)
    paid = authorized(kasse.demo)

    assert shown(kasse, "?state=AUTHORIZED") == [paid]
    assert shown(kasse, "?state=CREATED") == waiting
    assert shown(kasse, "?state=EXPIRED") == []


def test_text_finds_a_reference_by_its_start_and_a_payment_by_any_of_its_psp_references(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo)
    created(kasse, "noise", 2)
    psp_refs = [e["pspReference"] for e in kasse.demo.events(ref).json()]

    assert shown(kasse, f"?q={ref}") == [ref]
    assert shown(kasse, f"?q={ref[:-3]}") == [ref]
    assert all(shown(kasse, f"?q={psp}") == [ref] for psp in psp_refs)
    assert shown(kasse, "?q=nothing-starts-like-this") == []
    assert shown(kasse, "?q=%25") == []  # a LIKE wildcard is a character like any other


def test_the_date_filter_keeps_the_days_from_and_to_inclusive(kasse: InProcessKasse) -> None:
    refs = created(kasse, "day", 1)
    today = kasse.container.clock.now().astimezone(UTC).date()
    yesterday, tomorrow = today - timedelta(days=1), today + timedelta(days=1)

    assert shown(kasse, f"?from={today}&to={today}") == refs
    assert shown(kasse, f"?to={yesterday}") == []
    assert shown(kasse, f"?from={tomorrow}") == []


def test_pages_go_older_and_back_newer_by_key(kasse: InProcessKasse, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(listing, "PAGE_SIZE", 2)
    newest_first = list(reversed(created(kasse, "page", 5)))

    first = kasse.client.get("/console/payments?state=CREATED").text
    older = re.search(r'href="([^"]+)" rel="next"', first)
    assert older and 'data-live="2000"' in first and 'rel="prev"' not in first
    second = kasse.client.get(older.group(1).replace("&amp;", "&")).text
    third_link = re.search(r'href="([^"]+)" rel="next"', second)
    assert third_link and "state=CREATED" in third_link.group(1)
    third = kasse.client.get(third_link.group(1).replace("&amp;", "&")).text
    back = re.search(r'href="([^"]+)" rel="prev"', third)
    assert back
    again = kasse.client.get(back.group(1).replace("&amp;", "&")).text

    pages = [re.findall(r'<tr data-reference="([^"]+)"', text) for text in (first, second, third, again)]
    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:], newest_first[2:4]]
    assert 'rel="next"' not in third and 'data-live="2000"' not in second  # deeper pages hold still


@pytest.mark.parametrize("query", ["?state=PAID", "?from=yesterday", "?to=2026-13-01", "?msn=abc", "?older=nonsense",
                                   "?newer=12_x", "?q=" + "x" * 65])
def test_a_filter_the_list_cannot_use_gets_the_page_again_with_the_error(kasse: InProcessKasse, query: str) -> None:
    page = kasse.client.get(f"/console/payments{query}")

    assert page.status_code == 400
    assert 'role="alert"' in page.text
    assert query[1:].partition("=")[0] in re.search(r'role="alert">([^<]*)', page.text).group(1)  # type: ignore[union-attr]


def test_keys_survive_the_url(kasse: InProcessKasse) -> None:
    key = listing.PaymentKey(datetime(2026, 12, 6, 7, 1, 2, 345678, tzinfo=UTC), "123456", "a-b-c-123")

    assert listing.decode_key(listing.encode_key(key), "older") == key
