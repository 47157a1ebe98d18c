"""The till in a real browser: cashier page and customer display in one context, the wallet in another."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import PHONE, shoot
from tests.harness import ServerProcess

pytestmark = pytest.mark.slow
KARI = "4712345678"
TABLET = {"width": 1180, "height": 820}
SCREEN = {"width": 1024, "height": 768}


@pytest.fixture
def shop(browser: Any, server: ServerProcess) -> Iterator[tuple[Any, Any, Any]]:
    """(cashier page, customer display, wallet phone), the wallet logged in as Kari."""
    till = browser.new_context(viewport=TABLET, device_scale_factor=1)
    customer = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        cashier, display, phone = till.new_page(), till.new_page(), customer.new_page()
        for page in (cashier, display, phone):
            page.set_default_timeout(15_000)
        display.set_viewport_size(SCREEN)
        cashier.goto(f"{server.url}/pos")
        display.goto(f"{server.url}/pos/display/till-1")
        phone.goto(f"{server.url}/wallet")
        phone.click(f"button[data-msisdn='{KARI}']")
        phone.wait_for_selector("text=Payment requests")
        yield cashier, display, phone
    finally:
        till.close()
        customer.close()


def ring_up(cashier: Any, display: Any) -> None:
    for product in ("cappuccino", "cappuccino", "cinnamon-bun"):
        cashier.click(f"button[data-product='{product}']")
    cashier.wait_for_function("document.getElementById('total').textContent.startsWith('140,00')")
    display.wait_for_selector("#d-total:has-text('140,00 kr')")


def approve_first_request(phone: Any) -> None:
    # a click, not a goto: the wallet page may be reloading itself live as the request arrives
    phone.click("nav.tabbar a[href='/wallet']")
    phone.click("#pending a.row")
    phone.click("#approve")
    phone.wait_for_selector("text=View receipt")


def paid(cashier: Any) -> str:
    cashier.wait_for_selector("#status[data-status='paid']")
    text: str = cashier.inner_text("#status-amount")
    return text


def test_the_qr_drawn_on_the_display_is_scanned_in_the_wallet_and_the_till_shows_it_paid(
        shop: tuple[Any, Any, Any]) -> None:
    cashier, display, phone = shop
    ring_up(cashier, display)
    shoot(cashier, "pos-01-cashier-cart")
    shoot(display, "pos-02-display-cart")

    cashier.click("#pay-qr")
    display.wait_for_selector("#qr-image", state="visible")
    display.wait_for_function("document.getElementById('qr-image').naturalWidth > 0")
    shoot(display, "pos-03-display-qr")
    shoot(cashier, "pos-04-cashier-waiting")
    drawn = Image.open(io.BytesIO(display.locator(".qr-frame").screenshot()))
    [code] = zxingcpp.read_barcodes(drawn)
    phone.click("nav.tabbar a[href='/wallet/scan']")
    phone.fill("#scan-content", code.text)
    phone.click("#scan-submit")
    phone.click("#approve")
    phone.wait_for_selector("text=View receipt")

    assert paid(cashier) == "Captured 140,00 kr of 140,00 kr"
    display.wait_for_selector("#outcome-title:has-text('Thank you!')")
    shoot(cashier, "pos-05-cashier-paid")
    shoot(display, "pos-06-display-paid")


def test_the_scanned_personal_qr_pushes_the_payment_to_that_customer(shop: tuple[Any, Any, Any]) -> None:
    cashier, display, phone = shop
    phone.click("nav.tabbar a[href='/wallet/qr']")
    content = phone.inner_text("#qr-content")
    ring_up(cashier, display)

    cashier.click("#pay-scan")
    cashier.keyboard.type(content)  # the keyboard-wedge scanner types into the focused input ...
    cashier.keyboard.press("Enter")  # ... and ends with Enter
    display.wait_for_selector("text=Check your phone")
    shoot(display, "pos-07-display-push")
    approve_first_request(phone)

    assert paid(cashier) == "Captured 140,00 kr of 140,00 kr"


def test_a_typed_phone_number_unknown_first_then_right(shop: tuple[Any, Any, Any]) -> None:
    cashier, display, phone = shop
    ring_up(cashier, display)

    cashier.click("#pay-phone")
    cashier.fill("#phone-input", "400 00 001")
    cashier.press("#phone-input", "Enter")
    cashier.wait_for_selector("#status[data-status='failed']")
    message = cashier.inner_text("#status-message")
    shoot(cashier, "pos-08-cashier-unknown-customer")
    cashier.click("#done")
    cashier.click("#pay-phone")
    cashier.fill("#phone-input", "123 45 678")
    cashier.press("#phone-input", "Enter")
    cashier.wait_for_selector("#status[data-status='pending']")
    approve_first_request(phone)

    assert message.startswith("No Vipps MobilePay user has this phone number")
    assert paid(cashier) == "Captured 140,00 kr of 140,00 kr"
    cashier.click("text=Sales")
    cashier.wait_for_selector("table.table")
    shoot(cashier, "pos-09-sales")


def test_a_paid_sale_is_refunded_in_part_from_its_receipt(shop: tuple[Any, Any, Any], browser: Any,
                                                         server: ServerProcess) -> None:
    cashier, display, phone = shop
    ring_up(cashier, display)
    cashier.click("#pay-phone")
    cashier.fill("#phone-input", KARI)
    cashier.press("#phone-input", "Enter")
    cashier.wait_for_selector("#status[data-status='pending']")
    approve_first_request(phone)
    paid(cashier)

    cashier.goto(f"{server.url}/pos/sales")
    cashier.click("table a")
    cashier.fill("#refund-amount", "20,00")
    cashier.click("text=Refund part")
    cashier.wait_for_selector("#refunded:has-text('20,00 kr')")
    shoot(cashier, "pos-17-receipt-refunded")
    cashier.goto(f"{server.url}/pos/reconcile")

    assert cashier.inner_text("p.ok") == "Every sale matches the platform."
    shoot(cashier, "pos-18-reconcile")
    small = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        page = small.new_page()
        page.goto(f"{server.url}/pos")
        page.click("button[data-product='latte']")
        page.wait_for_selector("#lines .line")
        shoot(page, "pos-19-cashier-phone")
        page.goto(f"{server.url}/pos/catalogue")
        shoot(page, "pos-20-catalogue-phone")
    finally:
        small.close()
