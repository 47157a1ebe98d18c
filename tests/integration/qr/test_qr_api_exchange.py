"""QR API exchanges (contract §5.2, §5.4a, §6): personal QR → MSISDN, customerToken → MSISDN."""

from typing import Any

import httpx
import pytest

from tests.harness import InProcessKasse, advance_clock
from tests.integration.wallet_support import KARI, assert_qr_schema, scan


def exchange(kasse: InProcessKasse, body: Any, path: str = "/qr/v1/exchange") -> httpx.Response:
    return kasse.client.post(path, json=body, headers=kasse.demo.headers())


def user(kasse: InProcessKasse, msisdn: str = KARI) -> dict[str, Any]:
    found: dict[str, Any] = kasse.client.get(f"/_kasse/users/{msisdn}").json()
    return found


def assert_exchange_problem(response: httpx.Response, field: str) -> None:
    assert response.status_code == 400, response.text
    body = response.json()
    assert_qr_schema(body, "QrExchangeErrorResponse")
    assert body["title"] == "Bad request"
    assert body["detail"] == "The request body contains one or more invalid parameters."
    assert [d["name"] for d in body["extraDetails"]] == [field]


def test_a_tokenized_personal_qr_exchanges_to_the_msisdn_with_its_timestamp(kasse: InProcessKasse) -> None:
    response = exchange(kasse, {"qrCode": user(kasse)["personalQr"]["tokenized"], "requestedData": ["MSISDN"]})

    assert response.status_code == 200, response.text
    body = response.json()
    assert_qr_schema(body, "QrExchangeResponse")
    assert (body["msisdn"], body["version"]) == (KARI, "2.0")
    assert isinstance(body["timestamp"], int)


def test_a_clear_text_personal_qr_exchanges_without_timestamp(kasse: InProcessKasse) -> None:
    response = exchange(kasse, {"qrCode": "https://qr.vipps.no/28/2/01/031/4798765432?v=1"})

    assert response.json() == {"msisdn": "4798765432", "version": "1.0"}


@pytest.mark.parametrize(
    "body",
    [{"qrCode": "4712345678"}, {"qrCode": "https://qr.vipps.no/p/nobody-has-this-one"}, {"qrCode": ""}, {}],
    ids=["digits", "unknown-token", "empty", "missing"],
)
def test_anything_but_a_complete_personal_qr_is_refused(kasse: InProcessKasse, body: Any) -> None:
    assert_exchange_problem(exchange(kasse, body), "qrCode")


def test_only_msisdn_can_be_requested(kasse: InProcessKasse) -> None:
    response = exchange(kasse, {"qrCode": user(kasse)["personalQr"]["tokenized"], "requestedData": ["EMAIL"]})

    assert_exchange_problem(response, "requestedData[0]")


def checked_in(kasse: InProcessKasse) -> str:
    kasse.client.put("/qr/v1/merchant-callback/till-1", json={"locationDescription": "Kasse 1"},
                     headers=kasse.demo.headers())
    scanned = scan(kasse.client, KARI, "http://127.0.0.1:8000/q/c/123456/till-1")
    assert scanned.status_code == 200, scanned.text
    token: str = scanned.json()["checkIn"]["customerToken"]
    return token


def test_a_customer_token_exchanges_to_the_msisdn_for_15_minutes(kasse: InProcessKasse) -> None:
    token = checked_in(kasse)
    body = {"customer": {"customerToken": token}, "requestedData": ["MSISDN"]}

    fresh = exchange(kasse, body, "/qr/v1/exchange/customer")
    advance_clock(kasse.client, 15 * 60)
    stale = exchange(kasse, body, "/qr/v1/exchange/customer")

    assert fresh.status_code == 200, fresh.text
    assert_qr_schema(fresh.json(), "CustomerExchangeResponse")
    assert fresh.json()["msisdn"] == KARI
    assert_exchange_problem(stale, "customer.customerToken")


def test_another_sales_unit_cannot_exchange_the_token(kasse: InProcessKasse) -> None:
    token = checked_in(kasse)
    other = kasse.session(kasse.demo.new_merchant())

    response = kasse.client.post("/qr/v1/exchange/customer", json={"customer": {"customerToken": token}},
                                 headers=other.headers())

    assert_exchange_problem(response, "customer.customerToken")


def test_the_customer_object_is_required(kasse: InProcessKasse) -> None:
    assert_exchange_problem(exchange(kasse, {"requestedData": ["MSISDN"]}, "/qr/v1/exchange/customer"), "customer")
