"""The requests the SDK would send to the official hosts, captured by MockTransport (nothing leaves the machine)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from kasse import __version__
from kasse.sdk import (
    Amount,
    BottomLine,
    CallbackQrFormat,
    Client,
    CreatePaymentRequest,
    Currency,
    Customer,
    CustomerInteraction,
    OrderCategory,
    OrderLine,
    Receipt,
    RedirectQrFormat,
    UserFlow,
    WebhookEventType,
)
from tests.unit.sdk.fakes import CREDENTIALS, T0, payment_body, token_body

MODIFIED = {k: payment_body("AUTHORIZED")[k] for k in ("amount", "state", "aggregate", "pspReference", "reference")}
RECEIPT = Receipt(order_lines=[OrderLine(name="Coffee", id="1", total_amount=4000, total_amount_excluding_tax=3200,
                                         total_tax_amount=800, tax_rate=2500)],
                  bottom_line=BottomLine(currency=Currency.NOK, pos_id="till-1"))


REDIRECT_QR = {"id": "a b", "url": "u", "redirectUrl": "https://x"}
# (method, path prefix) → status and body; the first matching row answers
ANSWERS: list[tuple[str, str, int, Any]] = [
    ("POST", "/accesstoken/get", 200, token_body()),
    ("POST", "/epayment/v1/payments/", 200, MODIFIED),
    ("POST", "/epayment/v1/payments", 201, {"reference": "order-1001"}),
    ("POST", "/epayment/v1/test/", 200, None),
    ("GET", "/epayment/v1/payments/order-1001/events", 200, []),
    ("GET", "/epayment/v1/payments/", 200, payment_body()),
    ("POST", "/webhooks/v1/webhooks", 201, {"id": "w-1", "secret": "s"}),
    ("GET", "/webhooks/v1/webhooks", 200, {"webhooks": []}),
    ("DELETE", "/webhooks/v1/webhooks/", 204, None),
    ("GET", "/qr/v1/merchant-redirect/", 200, REDIRECT_QR),
    ("GET", "/qr/v1/merchant-redirect", 200, [REDIRECT_QR]),
    ("POST", "/qr/v1/merchant-redirect", 200, REDIRECT_QR),
    ("PUT", "/qr/v1/merchant-redirect/", 200, REDIRECT_QR),
    ("GET", "/qr/v1/merchant-callback/", 200, {"merchantQrId": "till-1"}),
    ("GET", "/qr/v1/merchant-callback", 200, [{"merchantQrId": "till-1"}]),
    ("POST", "/qr/v1/exchange/customer", 200, {"msisdn": "4712345678"}),
    ("POST", "/qr/v1/exchange", 200, {"msisdn": "4712345678", "version": "2.0"}),
    ("POST", "/order-management/", 201, "id-1"),
    ("PUT", "/order-management/", 200, "id-1"),
    ("GET", "/order-management/", 200, {}),
]


def answer(request: httpx.Request) -> httpx.Response:
    for method, prefix, status, body in ANSWERS:
        if request.method == method and request.url.path.startswith(prefix):
            return httpx.Response(status) if body is None else httpx.Response(status, json=body)
    return httpx.Response(200)  # DELETE and PUT of the QR API answer 200 without a body


def capturing(environment: str) -> tuple[Client, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    client = Client(**CREDENTIALS, environment=environment,  # type: ignore[arg-type]
                    transport=httpx.MockTransport(handler), system_name="kassa", system_version="2.1",
                    plugin_name="kasse-pos", plugin_version="0.9", clock=lambda: T0)
    return client, seen


CALLS: dict[str, tuple[str, str, Callable[[Client], object]]] = {
    "create": ("POST", "/epayment/v1/payments", lambda c: c.payments.create(CreatePaymentRequest(
        amount=Amount.nok(499_00), reference="order-1001", user_flow=UserFlow.PUSH_MESSAGE,
        customer=Customer(phone_number="4712345678"), customer_interaction=CustomerInteraction.CUSTOMER_PRESENT))),
    "get": ("GET", "/epayment/v1/payments/order-1001", lambda c: c.payments.get("order-1001")),
    "events": ("GET", "/epayment/v1/payments/order-1001/events", lambda c: c.payments.events("order-1001")),
    "capture": ("POST", "/epayment/v1/payments/order-1001/capture",
                lambda c: c.payments.capture("order-1001", Amount.nok(100))),
    "refund": ("POST", "/epayment/v1/payments/order-1001/refund",
               lambda c: c.payments.refund("order-1001", Amount.nok(100))),
    "cancel": ("POST", "/epayment/v1/payments/order-1001/cancel", lambda c: c.payments.cancel("order-1001")),
    "force_approve": ("POST", "/epayment/v1/test/payments/order-1001/approve",
                      lambda c: c.payments.force_approve("order-1001")),
    "webhooks.register": ("POST", "/webhooks/v1/webhooks", lambda c: c.webhooks.register(
        "https://pos.example.com/hooks", [WebhookEventType.PAYMENT_AUTHORIZED])),
    "webhooks.list": ("GET", "/webhooks/v1/webhooks", lambda c: c.webhooks.list()),
    "webhooks.delete": ("DELETE", "/webhooks/v1/webhooks/w-1", lambda c: c.webhooks.delete("w-1")),
    "qr.redirects.create": ("POST", "/qr/v1/merchant-redirect",
                            lambda c: c.qr.redirects.create("a b", "https://x", image=RedirectQrFormat.PNG, size=600)),
    "qr.redirects.list": ("GET", "/qr/v1/merchant-redirect", lambda c: c.qr.redirects.list()),
    "qr.redirects.get": ("GET", "/qr/v1/merchant-redirect/a%20b", lambda c: c.qr.redirects.get("a b")),
    "qr.redirects.update": ("PUT", "/qr/v1/merchant-redirect/a%20b",
                            lambda c: c.qr.redirects.update("a b", "https://y")),
    "qr.redirects.delete": ("DELETE", "/qr/v1/merchant-redirect/a%20b", lambda c: c.qr.redirects.delete("a b")),
    "qr.callbacks.put": ("PUT", "/qr/v1/merchant-callback/till-1", lambda c: c.qr.callbacks.put("till-1", "Kasse 1")),
    "qr.callbacks.list": ("GET", "/qr/v1/merchant-callback", lambda c: c.qr.callbacks.list()),
    "qr.callbacks.get": ("GET", "/qr/v1/merchant-callback/till-1", lambda c: c.qr.callbacks.get("till-1")),
    "qr.callbacks.delete": ("DELETE", "/qr/v1/merchant-callback/till-1", lambda c: c.qr.callbacks.delete("till-1")),
    "qr.exchange": ("POST", "/qr/v1/exchange", lambda c: c.qr.exchange("https://qr.vipps.no/p/abc")),
    "qr.exchange_customer": ("POST", "/qr/v1/exchange/customer", lambda c: c.qr.exchange_customer("tok")),
    "receipts.attach": ("POST", "/order-management/v2/ECOM/receipts/order-1001",
                        lambda c: c.receipts.attach("order-1001", RECEIPT)),
    "receipts.set_category": ("PUT", "/order-management/v2/ECOM/categories/order-1001",
                              lambda c: c.receipts.set_category("order-1001", OrderCategory.RECEIPT, "https://r")),
    "receipts.get": ("GET", "/order-management/v2/ECOM/order-1001", lambda c: c.receipts.get("order-1001")),
}


@pytest.mark.parametrize(("environment", "host"), [("test", "apitest.vipps.no"), ("production", "api.vipps.no")])
@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_call_goes_to_the_official_host_with_the_contract_headers(environment: str, host: str,
                                                                         name: str) -> None:
    method, path, call = CALLS[name]
    client, seen = capturing(environment)

    call(client)

    token, sent = seen
    assert str(token.url) == f"https://{host}/accesstoken/get"
    assert (sent.method, sent.url.scheme, sent.url.host, sent.url.raw_path.decode()) == (method, "https", host, path)
    assert sent.headers["Authorization"] == "Bearer " + token_body()["access_token"]
    assert sent.headers["Ocp-Apim-Subscription-Key"] == "sub-key-1"
    assert sent.headers["Merchant-Serial-Number"] == "123456"
    assert sent.headers["Vipps-System-Name"] == "kassa"
    assert sent.headers["Vipps-System-Version"] == "2.1"
    assert sent.headers["Vipps-System-Plugin-Name"] == "kasse-pos"
    assert sent.headers["Vipps-System-Plugin-Version"] == "0.9"
    assert sent.headers["User-Agent"] == f"kasse-python-sdk/{__version__}"
    # every write carries a key of at most 50 characters; reads carry none
    assert ("Idempotency-Key" in sent.headers) is (method != "GET")
    assert len(sent.headers.get("Idempotency-Key", "")) <= 50
    if sent.content:
        assert sent.headers["Content-Type"] == "application/json"


def test_the_create_body_is_the_contract_json() -> None:
    client, seen = capturing("test")

    CALLS["create"][2](client)

    assert json.loads(seen[1].content) == {
        "amount": {"value": 49900, "currency": "NOK"},
        "reference": "order-1001",
        "userFlow": "PUSH_MESSAGE",
        "paymentMethod": {"type": "WALLET"},
        "customer": {"phoneNumber": "4712345678"},
        "customerInteraction": "CUSTOMER_PRESENT",
    }


def test_redirect_qr_images_are_chosen_by_accept_and_size_and_callback_images_by_query() -> None:
    client, seen = capturing("test")

    CALLS["qr.redirects.create"][2](client)
    client.qr.callbacks.list(image=CallbackQrFormat.PNG, size=500)
    client.qr.callbacks.get("till-1")

    create, callbacks, callback = seen[1:]
    assert (create.headers["Accept"], create.headers["Size"]) == ("image/png", "600")
    assert json.loads(create.content) == {"id": "a b", "redirectUrl": "https://x"}
    assert dict(callbacks.url.params) == {"QrImageFormat": "PNG", "QrImageSize": "500"}
    assert dict(callback.url.params) == {}


def test_environment_and_base_url_choose_the_host() -> None:
    assert Client(**CREDENTIALS).base_url == "https://apitest.vipps.no"
    assert Client(**CREDENTIALS, environment="production").base_url == "https://api.vipps.no"
    assert Client(**CREDENTIALS, base_url="http://127.0.0.1:8000/").base_url == "http://127.0.0.1:8000"
    with pytest.raises(ValueError, match="environment"):
        Client(**CREDENTIALS, environment="staging")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="client_secret"):
        Client(**{**CREDENTIALS, "client_secret": ""})
    with pytest.raises(ValueError, match="Vipps-System-Plugin-Name"):
        Client(**CREDENTIALS, plugin_name="x" * 31)
