"""The console's Requests page in Chromium: the log, a row opened on its bodies, filters, and a live row."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.e2e.conftest import ARGS, CHROMIUM
from tests.harness import DEMO_CREDENTIALS, ServerProcess, create_body, new_reference

SHOTS = Path(os.environ.get("KASSE_SCREENSHOTS", "/tmp/console-reqlog"))
SIZES = {"desktop": (1280, 800), "tablet": (820, 1180), "phone": (390, 844), "small": (800, 480)}


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("console-requests") / "kasse.db").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def headers(running: ServerProcess) -> dict[str, str]:
    token = httpx.post(f"{running.url}/accesstoken/get", headers=DEMO_CREDENTIALS.token_headers()).json()
    return {"Authorization": f"Bearer {token['access_token']}", "Merchant-Serial-Number": DEMO_CREDENTIALS.msn,
            "Ocp-Apim-Subscription-Key": DEMO_CREDENTIALS.subscription_key}


@pytest.fixture
def page(browser: Any, running: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    opened.set_default_timeout(15_000)
    try:
        yield opened
    finally:
        context.close()


def test_a_payments_requests_open_on_their_bodies_and_link_to_the_payment(page: Any, running: ServerProcess,
                                                                           headers: dict[str, str]) -> None:
    reference = new_reference()
    httpx.post(f"{running.url}/epayment/v1/payments", json=create_body(reference),
               headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    page.goto(f"{running.url}/console/requests?reference={reference}")
    page.wait_for_selector("tr[data-id]")  # the recorder flushes within a second; the page polls for new rows

    page.locator("tr[data-id] summary").first.click()

    opened = page.locator("tr[data-id] details[open]")
    assert "Idempotency-Key" in opened.inner_text() and reference in opened.inner_text()
    assert "[redacted]" in opened.inner_text()
    link = page.locator(f'a[href="/console/payments/{DEMO_CREDENTIALS.msn}/{reference}"]')
    assert link.count() == 1


def test_new_requests_appear_on_top_without_a_reload(page: Any, running: ServerProcess,
                                                     headers: dict[str, str]) -> None:
    page.goto(f"{running.url}/console/requests")
    reference = new_reference()

    httpx.get(f"{running.url}/epayment/v1/payments/{reference}", headers=headers)

    page.wait_for_selector(f"tbody tr:first-child >> text={reference}")
    assert page.locator("tbody tr").first.locator(".chip").inner_text() == "404"


def test_the_status_filter_narrows_the_log(page: Any, running: ServerProcess, headers: dict[str, str]) -> None:
    reference = new_reference()
    httpx.get(f"{running.url}/epayment/v1/payments/{reference}", headers=headers)
    httpx.post(f"{running.url}/epayment/v1/payments", json=create_body(reference),
               headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
    page.goto(f"{running.url}/console/requests?reference={reference}")
    page.wait_for_function("document.querySelectorAll('tr[data-id]').length >= 2")

    page.select_option("select[name=status]", "4xx")
    page.click("form.filters button")

    page.wait_for_url("**status=4xx**")
    assert page.locator("tr[data-id] .chip").all_inner_texts() == ["404"]


def test_screenshots_at_every_size(browser: Any, running: ServerProcess, headers: dict[str, str]) -> None:
    for n in range(4):
        reference = new_reference(f"shot{n}")
        httpx.post(f"{running.url}/epayment/v1/payments", json=create_body(reference, value=1000 * (n + 1)),
                   headers={**headers, "Idempotency-Key": uuid.uuid4().hex})
        httpx.get(f"{running.url}/epayment/v1/payments/{reference}", headers=headers)
    httpx.get(f"{running.url}/epayment/v1/payments/missing-{uuid.uuid4().hex[:8]}", headers=headers)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, (width, height) in SIZES.items():
        context = browser.new_context(viewport={"width": width, "height": height})
        shot = context.new_page()
        shot.goto(f"{running.url}/console/requests")
        shot.wait_for_function("document.querySelectorAll('tr[data-id]').length >= 9")
        shot.locator("tr[data-id] summary").nth(1).click()
        shot.screenshot(path=str(SHOTS / f"requests-{name}.png"), full_page=False)
        context.close()
    assert CHROMIUM.exists() and ARGS
