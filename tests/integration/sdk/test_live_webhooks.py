"""Webhook registrations through the SDK, and a real signed delivery checked with `verify_webhook`."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kasse.sdk import (
    Amount,
    BadRequestError,
    Client,
    CreatePaymentRequest,
    NotFoundError,
    PaymentEventName,
    PaymentWebhookEvent,
    UserFlow,
    WebhookEventType,
    parse_webhook_event,
    verify_webhook,
)
from tests.harness import ServerProcess
from tests.integration.sdk.conftest import new_merchant, new_reference, requires, sdk_options
from tests.unit.sdk.fakes import FakeClock

pytestmark = [pytest.mark.slow, requires("webhooks")]

Delivery = tuple[dict[str, str], bytes]


class Receiver:
    """A POS's webhook endpoint on loopback: records each delivery and wakes whoever waits for one."""

    def __init__(self) -> None:
        self.deliveries: list[Delivery] = []
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                receiver.deliveries.append((dict(self.headers.items()), body))
                receiver.arrived.set()
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/hooks?till=1"

    def __enter__(self) -> Receiver:
        threading.Thread(target=self.http.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def own_client(live: ServerProcess, clock: FakeClock) -> Iterator[Client]:
    """A client of a fresh sales unit, so registrations and deliveries of other tests do not mix in."""
    with Client(**sdk_options(new_merchant(live)), base_url=live.url, sleep=clock.sleep, clock=clock) as sdk:
        yield sdk


def test_a_registration_is_listed_until_deleted(own_client: Client) -> None:
    events = [WebhookEventType.PAYMENT_AUTHORIZED, WebhookEventType.PAYMENT_CAPTURED]

    hook = own_client.webhooks.register("https://pos.example.com/hooks", events)
    listed = own_client.webhooks.list()
    own_client.webhooks.delete(hook.id)

    assert hook.secret
    assert [(w.id, w.url, tuple(w.events)) for w in listed] == [(hook.id, "https://pos.example.com/hooks",
                                                                 tuple(events))]
    assert own_client.webhooks.list() == ()


def test_deleting_an_unknown_registration_is_not_found(own_client: Client) -> None:
    with pytest.raises(NotFoundError):
        own_client.webhooks.delete("4f1c2a9e-3b7d-4e55-9a0c-1d2e3f405162")


def test_a_url_kasse_cannot_deliver_to_is_a_bad_request(own_client: Client) -> None:
    with pytest.raises(BadRequestError) as raised:
        own_client.webhooks.register("http://pos.example.com:9999/hooks", [WebhookEventType.PAYMENT_AUTHORIZED])

    assert "url" in {d.name for d in raised.value.extra_details}


def test_an_authorized_payment_is_delivered_signed_and_verifies(own_client: Client) -> None:
    with Receiver() as receiver:
        hook = own_client.webhooks.register(receiver.url, [WebhookEventType.PAYMENT_AUTHORIZED])
        reference = new_reference()
        own_client.payments.create(CreatePaymentRequest(amount=Amount.nok(100_00), reference=reference,
                                                        user_flow=UserFlow.QR))
        own_client.payments.force_approve(reference)

        assert receiver.arrived.wait(timeout=30), "no webhook delivery within 30 s"
    headers, body = receiver.deliveries[0]

    verify_webhook(headers, body, hook.secret, receiver.url)
    event = parse_webhook_event(body)
    assert isinstance(event, PaymentWebhookEvent)
    assert (event.reference, event.name, event.amount, event.success) == (
        reference, PaymentEventName.AUTHORIZED, Amount.nok(100_00), True)
