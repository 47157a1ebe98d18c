"""The console's Requests page: the log newest first, filters, rows that open on headers and bodies, live rows."""

from __future__ import annotations

import re
import uuid

from tests.harness import DEMO_CREDENTIALS, InProcessKasse, create_body, new_reference
from tests.integration.console.test_request_log_recording import flushed


def ids_on(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'<tr data-id="(\d+)"', html)]


def test_the_page_lists_requests_newest_first_with_their_bodies_and_a_link_to_the_payment(
        kasse: InProcessKasse) -> None:
    reference = new_reference()
    kasse.demo.create(create_body(reference), key=uuid.uuid4().hex)
    kasse.demo.get(reference)
    flushed(kasse)

    page = kasse.client.get("/console/requests", params={"reference": reference})

    assert page.status_code == 200
    ids = ids_on(page.text)
    assert len(ids) == 2 and ids[0] > ids[1]
    assert f'href="/console/payments/{DEMO_CREDENTIALS.msn}/{reference}"' in page.text
    assert "Request body" in page.text and "&#34;reference&#34;" in page.text and "[redacted]" in page.text
    assert DEMO_CREDENTIALS.subscription_key not in page.text


def test_filters_by_status_class_and_by_method_or_path_text(kasse: InProcessKasse) -> None:
    reference = new_reference()
    kasse.demo.get(reference)  # 404
    kasse.demo.create(create_body(reference), key=uuid.uuid4().hex)  # 201
    flushed(kasse)

    failed = kasse.client.get("/console/requests", params={"reference": reference, "status": "4xx"}).text
    posts = kasse.client.get("/console/requests", params={"reference": reference, "q": "post /epayment"}).text

    assert len(ids_on(failed)) == 1 and ">404<" in failed
    assert len(ids_on(posts)) == 1 and ">201<" in posts


def test_new_rows_are_served_after_the_newest_shown(kasse: InProcessKasse) -> None:
    flushed(kasse)
    page = kasse.client.get("/console/requests").text
    newest = int(re.search(r'data-newest="(\d+)"', page).group(1))  # type: ignore[union-attr]
    reference = new_reference()

    kasse.demo.get(reference)
    flushed(kasse)
    fresh = kasse.client.get("/console/requests/rows", params={"after": newest}).text
    none = kasse.client.get("/console/requests/rows", params={"after": max(ids_on(fresh))}).text

    assert reference in fresh and all(i > newest for i in ids_on(fresh))
    assert ids_on(none) == []


def test_a_bad_filter_is_a_400_page_saying_which(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/requests", params={"status": "teapot"})
    rows = kasse.client.get("/console/requests/rows", params={"after": "x"})

    assert page.status_code == 400 and "status filter" in page.text
    assert rows.status_code == 400


def test_an_empty_log_says_how_to_fill_it(kasse: InProcessKasse) -> None:
    page = kasse.client.get("/console/requests", params={"reference": new_reference()})

    assert page.status_code == 200 and "kasse trigger captured" in page.text
