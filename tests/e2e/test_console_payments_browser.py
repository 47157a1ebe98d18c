"""The console in a real browser against a real `kasse serve`: from the front door to a payment made with the SDK,
its timeline, and acting on it (approve, capture, redeliver a webhook)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kasse.sdk import Amount, Client, CreatePaymentRequest, CustomerInteraction, UserFlow
from tests.harness import DEMO_CREDENTIALS, ServerProcess, new_reference
from tests.integration.webhook_receiver import Receiver, receiving

pytestmark = pytest.mark.slow
SIZES = {"desktop": {"width": 1280, "height": 800}, "tablet": {"width": 820, "height": 1180},
         "phone": {"width": 390, "height": 844}}
SHOTS = Path(os.environ.get("KASSE_CONSOLE_SHOTS", "/tmp/console-pay"))


@pytest.fixture
def sdk(server: ServerProcess) -> Iterator[Client]:
    with Client(client_id=DEMO_CREDENTIALS.client_id, client_secret=DEMO_CREDENTIALS.client_secret,
                subscription_key=DEMO_CREDENTIALS.subscription_key, merchant_serial_number=DEMO_CREDENTIALS.msn,
                base_url=server.url, system_name="console-test", system_version="1") as client:
        yield client


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    answers = iter([500])  # the first delivery is refused, so the timeline has a retry to show
    with receiving(lambda r: next(answers, 200)) as running:
        yield running


def opened(browser: Any, size: str) -> Any:
    context = browser.new_context(viewport=SIZES[size], device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20_000)
    return page


def shoot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_a_payment_made_with_the_sdk_is_found_opened_and_acted_on_from_the_console(
        browser: Any, server: ServerProcess, sdk: Client, receiver: Receiver) -> None:
    sdk.webhooks.register(receiver.url(), ["epayments.payment.created.v1", "epayments.payment.authorized.v1",
                                           "epayments.payment.captured.v1"])
    page = opened(browser, "desktop")
    try:
        page.goto(f"{server.url}/")
        page.wait_for_selector("#first-payment")
        shoot(page, "front-door-desktop")
        page.click("a.place[href='/console']")
        page.wait_for_selector("h1:has-text('Payments')")

        reference = new_reference("console")
        sdk.payments.create(CreatePaymentRequest(amount=Amount.nok(129_00), reference=reference, user_flow=UserFlow.QR,
                                                 customer_interaction=CustomerInteraction.CUSTOMER_PRESENT,
                                                 payment_description="Console test"))
        row = f"tr[data-reference='{reference}']"
        page.wait_for_selector(row)  # appeared live: the list was open before the payment existed
        shoot(page, "payments-desktop")
        page.click(f"{row} a")

        page.wait_for_selector("#timeline [data-kind='event'] >> text=CREATED")
        page.wait_for_selector("#timeline [data-kind='request'] >> text=POST /epayment/v1/payments")
        page.wait_for_selector("#timeline [data-kind='webhook'] .attempt >> text=500")
        page.wait_for_selector("#timeline [data-kind='webhook'] .attempt >> text=200")  # the retry, shown live
        page.click("#approve")
        page.wait_for_selector("text=Approved as the customer.")
        assert page.inner_text("#state") == "AUTHORIZED"
        page.fill("input[name='amount'][aria-label='Amount to capture']", "10000")
        page.click("#capture")
        page.wait_for_selector("text=Captured.")
        assert sdk.payments.get(reference).aggregate.captured_amount.value == 100_00
        # the sequence diagram, drawn from what happened: four lifelines, the create and its answer, the refused
        # webhook and its retry, the customer's approval and the capture
        diagram = page.locator("#sequence svg")
        for lifeline in ("POS / merchant", "ePayment API", "Customer's app", "Webhooks API"):
            assert diagram.locator("text", has_text=lifeline).count() == 1
        labels = diagram.locator("text").all_text_contents()
        assert "POST /payments" in labels and "201" in labels and "Approve" in labels
        assert labels.count("POST webhook created") >= 2 and "500" in labels
        assert "POST /payments/…/capture" not in labels  # captured from the console: an event, not an API request
        assert any(label.startswith("CAPTURED") for label in labels)

        received = len(receiver.received)
        page.click("#timeline [data-kind='webhook'] button.redeliver >> nth=0")
        page.wait_for_selector("text=queued to be sent again now")
        receiver.wait_for(lambda got: len(got) > received)
        page.wait_for_selector("#timeline [data-kind='webhook'] >> text=AUTHORIZED", state="attached")
        shoot(page, "payment-desktop")
        for size in ("tablet", "phone"):
            other = opened(browser, size)
            for path, name in (("/", "front-door"), ("/console/payments", "payments"),
                               (f"/console/payments/{DEMO_CREDENTIALS.msn}/{reference}", "payment")):
                other.goto(f"{server.url}{path}")
                shoot(other, f"{name}-{size}")
            other.context.close()
    finally:
        page.context.close()
