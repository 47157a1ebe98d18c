"""The QR API through the SDK on a real server: redirect and callback QR codes, exchanges, and the check-in flow."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest

from kasse.sdk import (
    Amount,
    BadRequestError,
    CallbackQrFormat,
    CheckedInEvent,
    Client,
    ConflictError,
    CreatePaymentRequest,
    Customer,
    CustomerInteraction,
    NotFoundError,
    PaymentState,
    RedirectQrFormat,
    UserFlow,
    WebhookEventType,
    parse_webhook_event,
    verify_webhook,
)
from tests.harness import ServerProcess
from tests.integration.sdk.conftest import new_merchant, new_reference, requires, sdk_options
from tests.integration.sdk.test_live_webhooks import Receiver
from tests.unit.sdk.fakes import FakeClock

pytestmark = [pytest.mark.slow, requires("qr")]
DEMO_PHONE = "4712345678"


@pytest.fixture
def own_client(live: ServerProcess, clock: FakeClock) -> Iterator[Client]:
    """A client of a fresh sales unit, so QR codes and check-ins of other tests do not mix in."""
    with Client(**sdk_options(new_merchant(live)), base_url=live.url, sleep=clock.sleep, clock=clock) as sdk:
        yield sdk


def test_a_redirect_qr_is_created_read_repointed_listed_and_deleted(own_client: Client) -> None:
    qrs = own_client.qr.redirects
    qr_id = f"machine {uuid.uuid4().hex[:6]}"  # a space: the id travels escaped in the path

    created = qrs.create(qr_id, "https://shop.example.com/machine/42", ttl=600)
    png = qrs.get(qr_id, image=RedirectQrFormat.PNG, size=300)
    moved = qrs.update(qr_id, "https://shop.example.com/machine/43")
    listed = qrs.list()
    qrs.delete(qr_id)

    assert (created.id, created.redirect_url) == (qr_id, "https://shop.example.com/machine/42")
    assert created.expires_in is not None and 0 < created.expires_in <= 600
    assert png.url != created.url
    assert moved.redirect_url == "https://shop.example.com/machine/43"
    assert [q.id for q in listed] == [qr_id]
    with pytest.raises(NotFoundError):
        qrs.get(qr_id)


def test_creating_a_redirect_qr_twice_is_a_conflict_and_a_bad_url_a_bad_request(own_client: Client) -> None:
    own_client.qr.redirects.create("till-7", "https://shop.example.com/7")

    with pytest.raises(ConflictError):
        own_client.qr.redirects.create("till-7", "https://shop.example.com/7")
    with pytest.raises(BadRequestError) as raised:
        own_client.qr.redirects.create("till-8", "http://not-https.example.com")

    assert {p.name.lower() for p in raised.value.invalid_params} == {"redirecturl"}


def test_a_callback_qr_is_put_read_listed_and_deleted(own_client: Client) -> None:
    callbacks = own_client.qr.callbacks

    callbacks.put("till-1", "Kasse 1")
    callbacks.put("till-1", "Kasse 1 (ved døren)")
    one = callbacks.get("till-1", image=CallbackQrFormat.PNG, size=500)
    listed = callbacks.list()
    callbacks.delete("till-1")

    assert (one.merchant_qr_id, one.location_description) == ("till-1", "Kasse 1 (ved døren)")
    assert one.qr_image_url and one.qr_content
    assert [q.merchant_qr_id for q in listed] == ["till-1"]
    with pytest.raises(NotFoundError):
        callbacks.get("till-1")


def test_a_scanned_personal_qr_is_exchanged_for_the_phone_number(own_client: Client) -> None:
    found = own_client.qr.exchange(f"https://qr.vipps.no/28/2/01/031/{DEMO_PHONE}?v=1")

    assert (found.msisdn, found.version) == (DEMO_PHONE, "1.0")
    with pytest.raises(BadRequestError) as raised:
        own_client.qr.exchange("not a personal qr")
    assert [d.name for d in raised.value.extra_details] == ["qrCode"]


def test_a_check_in_at_a_callback_qr_ends_in_a_captured_payment(own_client: Client, live: ServerProcess) -> None:
    with Receiver() as receiver:
        hook = own_client.webhooks.register(receiver.url, [WebhookEventType.USER_CHECKED_IN])
        own_client.qr.callbacks.put("vending-1", "Vending machine 1")
        content = own_client.qr.callbacks.get("vending-1").qr_content
        scanned = httpx.post(f"{live.url}/_kasse/wallet/{DEMO_PHONE}/scan", json={"content": content}, timeout=10)
        assert scanned.status_code == 200, scanned.text
        assert receiver.arrived.wait(timeout=30), "no check-in webhook within 30 s"
    headers, body = receiver.deliveries[0]
    verify_webhook(headers, body, hook.secret, receiver.url)
    event = parse_webhook_event(body)
    assert isinstance(event, CheckedInEvent) and event.merchant_qr_id == "vending-1"

    number = own_client.qr.exchange_customer(event.customer_token)
    reference = new_reference("vend")
    own_client.payments.create(CreatePaymentRequest(
        amount=Amount.nok(50_00), reference=reference, user_flow=UserFlow.PUSH_MESSAGE,
        customer=Customer(customer_token=event.customer_token),
        customer_interaction=CustomerInteraction.CUSTOMER_PRESENT))
    own_client.payments.force_approve(reference)
    own_client.payments.capture(reference, Amount.nok(30_00))
    done = own_client.payments.cancel(reference)

    assert number.msisdn == DEMO_PHONE
    assert done.state is PaymentState.AUTHORIZED
    assert (done.aggregate.captured_amount, done.aggregate.cancelled_amount) == (Amount.nok(30_00), Amount.nok(20_00))
