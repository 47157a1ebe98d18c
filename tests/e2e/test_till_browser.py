"""The till as a cashier meets it on a bad day, in a real browser: double taps, a pending sale, a server that
goes away, a capture that fails, an answer whose result stays unknown, refunds that are refused (#13.5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.e2e.conftest import shoot
from tests.harness import ServerProcess
from tests.integration.pos_support import KARI, wallet_answer

pytestmark = pytest.mark.slow
TABLET = {"width": 1180, "height": 820}
STATE = "fetch('/pos/api/terminals/till-1').then(r => r.json())"
# what the till's own script sends, CSRF token included
POST = """([path, body]) => fetch('/pos/api/terminals/till-1' + path, {method: 'POST', body: JSON.stringify(body),
  headers: {'content-type': 'application/json',
            'x-csrf-token': decodeURIComponent(document.cookie.match(/kasse_csrf=([^;]+)/)[1])}})
  .then(async r => [r.status, await r.json()])"""
COUNT_PAYS = """() => { window.pays = 0; window.answered = 0; const send = window.fetch;
  window.fetch = (url, options) => { const pay = String(url).endsWith('/pay'); if (pay) window.pays++;
    return send(url, options).finally(() => { if (pay) window.answered++; }); }; }"""


@pytest.fixture
def cashier(browser: Any, server: ServerProcess) -> Iterator[Any]:
    context = browser.new_context(viewport=TABLET, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(f"{server.url}/pos")
        yield page
    finally:
        context.close()


def ring_up(page: Any, *products: str, total: str = "140,00") -> None:
    for product in products or ("cappuccino", "cappuccino", "cinnamon-bun"):
        page.click(f"button[data-product='{product}']")
    page.wait_for_function(f"document.getElementById('total').textContent.startsWith('{total}')")


def send_to_phone(page: Any, *, taps: int = 1) -> str:
    page.click("#pay-phone")
    page.fill("#phone-input", KARI)
    page.click("#phone-form button[type=submit]", click_count=taps)
    page.wait_for_selector("#status[data-status='pending']")
    reference: str = page.evaluate(STATE + ".then(s => s.sale.reference)")
    return reference


def test_a_double_tap_on_send_sends_one_request_and_clear_waits_for_the_payment(cashier: Any) -> None:
    ring_up(cashier)
    cashier.evaluate(COUNT_PAYS)

    reference = send_to_phone(cashier, taps=2)
    cashier.wait_for_function("window.answered === window.pays")
    sent, error_hidden = cashier.evaluate("window.pays"), cashier.is_hidden("#error")
    again = cashier.evaluate(POST, ["/pay", {"method": "phone", "value": KARI}])  # the server's duplicate answer
    cleared = cashier.evaluate(POST, ["/clear", {}])
    shoot(cashier, "till-01-pending-clear-disabled")

    assert sent == 1
    assert error_hidden
    assert again[0] == 200 and again[1]["sale"]["reference"] == reference
    assert cashier.is_disabled("#clear")
    assert cleared[0] == 409 and cleared[1]["message"].startswith("A payment is in progress")
    assert cashier.inner_text("#cart-count") == "3"


def test_the_till_says_it_is_offline_and_forgets_the_lost_connection_once_paid(cashier: Any,
                                                                              server: ServerProcess) -> None:
    ring_up(cashier)
    reference = send_to_phone(cashier)

    server.kill()
    cashier.wait_for_selector("#offline", state="visible")
    cashier.click("#cancel")  # the cashier tries anyway
    cashier.wait_for_selector("#error:has-text('lost its connection')")
    shoot(cashier, "till-02-offline")
    server.start()
    cashier.wait_for_selector("#offline", state="hidden")
    wallet_answer(server.url, reference)
    cashier.wait_for_selector("#status[data-status='paid']")

    assert cashier.is_hidden("#error")


def test_a_failing_capture_says_approved_and_retrying(cashier: Any, server: ServerProcess) -> None:
    ring_up(cashier)
    reference = send_to_phone(cashier)
    msn = re.search(r"MSN (\d+)", httpx.get(f"{server.url}/pos/sales/{reference}", trust_env=False).text)
    assert msn is not None
    armed = httpx.post(f"{server.url}/_kasse/faults", json={"msn": msn.group(1), "kind": "api.500",
                                                           "endpoint": "capture"}, trust_env=False)
    assert armed.status_code == 201, armed.text

    wallet_answer(server.url, reference)
    cashier.wait_for_selector("#status-message:has-text('Approved, capturing (retrying)…')")
    shoot(cashier, "till-03-capture-retrying")
    assert cashier.inner_text("#status-badge") == "Approved"
    httpx.delete(f"{server.url}/_kasse/faults/{armed.json()['id']}", trust_env=False)

    cashier.wait_for_selector("#status[data-status='paid']")


def test_an_answer_with_an_unknown_result_is_not_called_unanswered(cashier: Any, server: ServerProcess) -> None:
    cashier.goto(f"{server.url}/pos/catalogue")
    cashier.fill("form.cat-new input[name='name']", "Unknown result")
    cashier.fill("form.cat-new input[name='price']", "2,01")
    cashier.click("form.cat-new button[type=submit]")
    cashier.wait_for_selector("form[data-product='unknown-result']")
    cashier.goto(f"{server.url}/pos")
    ring_up(cashier, "unknown-result", total="2,01")
    reference = send_to_phone(cashier)

    wallet_answer(server.url, reference)  # amount 2,01: the answer is taken, the result stays unknown
    moved = httpx.post(f"{server.url}/_kasse/clock/advance", json={"seconds": 3700}, trust_env=False)
    assert moved.status_code == 200, moved.text
    cashier.wait_for_selector("#status[data-status='failed']")
    shoot(cashier, "till-04-unknown-result")

    message = cashier.inner_text("#status-message")
    assert "did not answer" not in message
    assert message.startswith("The customer answered in the app, but the payment's result stayed unknown")


def test_refunds_speak_kroner_and_a_refund_of_everything_is_confirmed_first(cashier: Any,
                                                                           server: ServerProcess) -> None:
    ring_up(cashier)
    reference = send_to_phone(cashier)
    wallet_answer(server.url, reference)
    cashier.wait_for_selector("#status[data-status='paid']")
    cashier.goto(f"{server.url}/pos/sales/{reference}")
    sold_at = cashier.inner_text("#sold-at")
    said = {}
    for typed in ("0", "500", "1,23"):
        cashier.fill("#refund-amount", typed)
        cashier.click("text=Refund part")
        said[typed] = cashier.inner_text("p.error")
    cashier.fill("#refund-amount", "40")
    cashier.click("text=Refund part")
    cashier.wait_for_selector("#refunded:has-text('40,00 kr')")
    partly = cashier.inner_text("#sale-status")
    cashier.click("#refund-all")
    shoot(cashier, "till-05-refund-all-asks")
    asked = cashier.inner_text("#refund-all-dialog")
    cashier.click("#refund-all-keep")
    kept = cashier.inner_text("#refunded")
    cashier.click("#refund-all")
    cashier.click("#refund-all-confirm")
    cashier.wait_for_selector("#refunded:has-text('140,00 kr')")

    assert said["0"] == "Enter an amount above 0."
    assert said["500"] == "At most 140,00 kr can be refunded on this sale."
    assert said["1,23"].startswith("The refund was refused") and "payment request" not in said["1,23"]
    assert partly == "Paid, 40,00 kr refunded"
    assert "Refund 100,00 kr?" in asked and kept == "40,00 kr"
    assert cashier.inner_text("#sale-status") == "Refunded"
    cashier.goto(f"{server.url}/pos/sales")
    assert cashier.inner_text("table tbody tr .badge") == "Refunded"
    assert cashier.inner_text("table tbody tr td.when") == sold_at
    assert sold_at in {oslo_now(minutes) for minutes in (-2, -1, 0)}  # the shop's wall clock, not UTC


def oslo_now(minutes: int) -> str:
    return (datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(minutes=minutes)).strftime("%d.%m.%Y %H:%M")
