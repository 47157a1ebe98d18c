"""The wallet in a real browser against a real `kasse serve`: a person approves, a person scans a photo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.e2e.conftest import shoot
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, create_body, new_reference, receipt, with_csrf

pytestmark = pytest.mark.slow
KARI = "4712345678"


@pytest.fixture
def pos(server: ServerProcess) -> Any:
    with httpx.Client(base_url=server.url, timeout=15.0, trust_env=False) as client:
        yield ApiSession(client, DEMO_CREDENTIALS)


def log_in(phone: Any, server: ServerProcess) -> None:
    phone.goto(f"{server.url}/wallet")
    phone.wait_for_selector("text=Pick a test user")
    shoot(phone, "01-login")
    phone.click(f"button[data-msisdn='{KARI}']")
    phone.wait_for_selector("text=Payment requests")


def test_a_pushed_payment_appears_live_and_the_user_approves_it(phone: Any, server: ServerProcess,
                                                                pos: ApiSession) -> None:
    log_in(phone, server)
    shoot(phone, "02-inbox-empty")
    reference = new_reference("push")

    created = pos.create(create_body(reference, 11900, userFlow="PUSH_MESSAGE", customer={"phoneNumber": KARI},
                                     customerInteraction="CUSTOMER_PRESENT", paymentDescription="Café Kasse, till 2",
                                     receipt=receipt(11900)))
    phone.wait_for_selector("#pending a.row")  # arrived over the event stream, no reload by hand
    shoot(phone, "03-inbox-request")
    phone.click("#pending a.row")
    phone.wait_for_selector("#approve")
    shoot(phone, "04-payment")
    phone.click("#approve")
    phone.wait_for_selector("text=View receipt")
    shoot(phone, "05-paid")

    assert created.status_code == 201, created.text
    assert pos.get(reference).json()["state"] == "AUTHORIZED"
    phone.click("#view-receipt")
    phone.wait_for_selector("text=Paid with")
    shoot(phone, "06-receipt")


def test_a_photo_of_the_one_time_qr_is_scanned_and_paid(phone: Any, server: ServerProcess, pos: ApiSession,
                                                        tmp_path: Path) -> None:
    reference = new_reference("qr")
    created = pos.create(create_body(reference, 4900, qrFormat={"format": "IMAGE/PNG", "size": 600},
                                     customerInteraction="CUSTOMER_PRESENT", paymentDescription="Vending machine 7"))
    photo = tmp_path / "qr.png"
    photo.write_bytes(pos.client.get(created.json()["redirectUrl"]).content)
    log_in(phone, server)

    phone.click("nav.tabbar a[href='/wallet/scan']")
    phone.wait_for_selector("#scan-image", state="attached")
    shoot(phone, "07-scan")
    phone.set_input_files("#scan-image", str(photo))  # the page submits the photo as soon as it is chosen
    phone.wait_for_selector("#approve")
    shoot(phone, "08-scanned-payment")
    phone.click("#approve")
    phone.wait_for_selector("text=View receipt")

    assert pos.get(reference).json()["state"] == "AUTHORIZED"


def test_the_personal_qr_on_screen_scans_to_its_content(phone: Any, server: ServerProcess) -> None:
    log_in(phone, server)

    phone.click("nav.tabbar a[href='/wallet/qr']")
    phone.wait_for_selector(".qr svg")
    shoot(phone, "09-my-qr")
    seen = Image.open(io.BytesIO(phone.locator(".qr").screenshot()))

    content = phone.inner_text("#qr-content")
    assert content.startswith("https://qr.vipps.no/p/")
    assert [code.text for code in zxingcpp.read_barcodes(seen)] == [content]


def test_a_callback_qr_waits_for_the_merchant_then_opens_the_pushed_payment(phone: Any, server: ServerProcess,
                                                                          pos: ApiSession) -> None:
    pos.client.put("/qr/v1/merchant-callback/vending-7", json={"locationDescription": "Vending machine 7"},
                   headers=pos.headers())
    content = pos.client.get("/qr/v1/merchant-callback/vending-7", headers=pos.headers()).json()["qrContent"]
    log_in(phone, server)

    phone.goto(content)  # what a phone camera does with the printed QR
    phone.wait_for_selector("text=Waiting for the merchant")
    shoot(phone, "10-waiting")
    token = phone.url.rsplit("/", 1)[1]
    reference = new_reference("vend")
    pos.create(create_body(reference, 3500, userFlow="PUSH_MESSAGE", customer={"customerToken": token},
                           customerInteraction="CUSTOMER_PRESENT", paymentDescription="Reserved: max price"))
    phone.wait_for_selector("#approve")  # the waiting screen follows the event stream to the payment
    phone.click("#approve")
    phone.wait_for_selector("text=View receipt")

    assert pos.get(reference).json()["state"] == "AUTHORIZED"


def test_the_landing_page_sends_the_request_to_the_typed_number(phone: Any, server: ServerProcess,
                                                                pos: ApiSession) -> None:
    reference = new_reference("web")
    back = f"{server.url}/wallet/history"  # a page that loads offline stands for the shop's own (#13.4)
    created = pos.create(create_body(reference, 7500, userFlow="WEB_REDIRECT", returnUrl=back,
                                     paymentDescription="Parking, 2 hours"))

    phone.goto(created.json()["redirectUrl"])
    phone.wait_for_selector("#phone")
    shoot(phone, "11-landing")
    phone.fill("#phone", "12 34 56 78")
    phone.click("#next")
    phone.click("#open-wallet")
    phone.click("#pending a.row")
    phone.click("#approve")
    phone.wait_for_url(back)  # the approval returns the customer to the payment's returnUrl

    assert pos.get(reference).json()["state"] == "AUTHORIZED"


def test_my_qr_opens_the_request_the_cashier_sends_after_scanning_it(phone: Any, server: ServerProcess) -> None:
    log_in(phone, server)
    phone.click("nav.tabbar a[href='/wallet/qr']")
    content = phone.inner_text("#qr-content")
    shoot(phone, "12-my-qr")

    with httpx.Client(base_url=server.url, timeout=15.0, trust_env=False) as till:  # the cashier's scanner
        with_csrf(till, "/pos")
        till.post("/pos/api/terminals/scan-1/cart", json={"productId": "latte", "delta": 1})
        sent = till.post("/pos/api/terminals/scan-1/pay", json={"method": "scan", "value": content})
        assert sent.status_code == 200, sent.text

    phone.wait_for_selector("#approve")  # on the My QR page, live: no trip to Home (#13.6)
    shoot(phone, "13-my-qr-request-arrived")

    assert "/wallet/pay/" in phone.url and "Café Kasse" in phone.inner_text("body")
