"""Unmanned points in a real browser: a vending machine's printed QR and a trust shop's merchant page."""

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


@pytest.fixture
def pages(browser: Any, server: ServerProcess) -> Iterator[tuple[Any, Any]]:
    """(machine screen, the customer's phone logged in as Kari)."""
    machine_context = browser.new_context(viewport={"width": 1180, "height": 820}, device_scale_factor=1)
    customer = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        machine, phone = machine_context.new_page(), customer.new_page()
        for page in (machine, phone):
            page.set_default_timeout(15_000)
        phone.goto(f"{server.url}/wallet")
        phone.click(f"button[data-msisdn='{KARI}']")
        phone.wait_for_selector("text=Payment requests")
        yield machine, phone
    finally:
        machine_context.close()
        customer.close()


def test_the_vending_machine_reserves_the_top_price_and_charges_the_chosen_item(pages: tuple[Any, Any],
                                                                              server: ServerProcess) -> None:
    machine, phone = pages
    machine.goto(f"{server.url}/pos/vending/7")
    machine.wait_for_function("document.getElementById('callback-qr').naturalWidth > 0")
    shoot(machine, "pos-10-vending-idle")
    printed = Image.open(io.BytesIO(machine.locator("#callback-qr").screenshot()))
    [code] = zxingcpp.read_barcodes(printed)

    phone.goto(code.text)  # what the phone camera does with the printed code
    phone.wait_for_selector("#approve")  # the check-in webhook made the POS push the reservation
    shoot(phone, "pos-11-vending-reservation")
    machine.wait_for_selector("text=Waiting for approval")
    shoot(machine, "pos-11-vending-waiting")
    assert "Reserved" not in machine.inner_text("#machine")  # nothing is reserved until the customer approves
    assert machine.locator("button.product:enabled").count() == 0
    phone.click("#approve")
    machine.wait_for_selector("text=Choose your item")
    shoot(machine, "pos-12-vending-choose")
    assert "Reserved 35,00 kr" in machine.inner_text("#machine")
    assert machine.locator("button.product:enabled").count() == 4
    machine.click("button[value='chocolate']")
    machine.wait_for_selector("#vend-result")

    assert "released" in machine.inner_text("#vend-result")
    shoot(machine, "pos-13-vending-paid")


def test_the_trust_shop_qr_leads_to_the_merchant_page_and_back_to_its_receipt(pages: tuple[Any, Any],
                                                                               server: ServerProcess) -> None:
    machine, phone = pages
    machine.goto(f"{server.url}/pos/shop/honesty-1/qr")
    machine.wait_for_function("document.getElementById('redirect-qr').naturalWidth > 0")
    shoot(machine, "pos-14-shop-qr")

    phone.goto(f"{server.url}/pos/shop/honesty-1")
    shoot(phone, "pos-15-shop-page")
    phone.click("button[value='water']")
    phone.wait_for_selector("#pay-as-me")  # Kari is signed in to the wallet here: no number to type
    shoot(phone, "pos-15-shop-landing-signed-in")
    assert phone.locator("#phone").count() == 0
    phone.click("#pay-as-me")
    phone.click("#approve")
    phone.wait_for_selector(".status[data-status='paid']")  # back at the payment's returnUrl: the shop's receipt

    assert "/pos/shop/honesty-1/receipt/" in phone.url
    assert phone.inner_text("#shop-amount") == "29,00 kr"
    shoot(phone, "pos-16-shop-paid")


def test_a_customer_not_signed_in_types_the_number_and_comes_back_to_the_shop(browser: Any,
                                                                             server: ServerProcess) -> None:
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, is_mobile=True, has_touch=True)
    try:
        phone = context.new_page()
        phone.set_default_timeout(15_000)
        phone.goto(f"{server.url}/pos/shop/honesty-2")
        phone.click("button[value='chocolate']")
        phone.fill("#phone", "12 34 56 78")
        phone.click("#next")
        phone.click("#open-wallet")  # the app on the phone: here, the wallet in the same browser
        phone.click("#pending a.row")
        phone.click("#approve")
        phone.wait_for_selector(".status[data-status='paid']")

        assert "/pos/shop/honesty-2/receipt/" in phone.url
        assert phone.inner_text("#shop-amount") == "25,00 kr"
    finally:
        context.close()
