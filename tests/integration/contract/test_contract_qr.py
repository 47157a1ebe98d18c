"""The QR API's legacy operations, and bodies the specs allow that kasse used to refuse (issues #13.15, #13.16)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.harness import InProcessKasse, advance_clock, create_body, local_path, new_reference, receipt, shared_kasse
from tests.integration.qr.test_qr_api import decoded
from tests.integration.spec_operations import SpecOperation, assert_error_shape, operations
from tests.integration.wallet_support import KARI, assert_qr_schema, scan
from tests.official_specs import REFERENCE, SKIP_MARK

shared = shared_kasse("contract-qr", rate_limits=False)
PNG = "image/png"


def spec_op(method: str, template: str) -> SpecOperation:
    found = [op for op in operations() if (op.method, op.template) == (method, template)]
    if not found:
        pytest.skip(f"{SKIP_MARK} qr-v1.github-2024-10.yaml (its {method} {template}) is not in {REFERENCE}")
    return found[0]


def landing_payment(k: InProcessKasse, value: int = 2500) -> tuple[str, str]:
    """Create a WEB_REDIRECT payment; return its reference and its landing-page URL."""
    ref = new_reference()
    created = k.demo.create(create_body(ref, value, userFlow="WEB_REDIRECT", returnUrl="https://shop.example/back"))
    assert created.status_code == 201, created.text
    return ref, created.json()["redirectUrl"]


def one_time_qr(k: InProcessKasse, url: str, accept: str = PNG, **headers: str) -> httpx.Response:
    r: httpx.Response = k.client.post("/qr/v1", json={"url": url}, headers=k.demo.headers(Accept=accept, **headers))
    return r


class TestOneTimePaymentQr:
    def test_a_landing_page_url_gives_a_qr_the_wallet_pays_from(self, shared: InProcessKasse) -> None:
        ref, landing = landing_payment(shared)

        r = one_time_qr(shared, landing, Size="300")

        assert r.status_code == 200, r.text
        assert_qr_schema(r.json(), "OneTimePaymentQrResponse")
        assert 590 <= r.json()["expiresIn"] <= 600
        paid = scan(shared.client, KARI, decoded(shared, r.json()["url"]))
        assert paid.status_code == 200, paid.text
        assert paid.json()["payment"]["reference"] == ref

    def test_text_target_url_gives_what_the_qr_encodes(self, shared: InProcessKasse) -> None:
        _, landing = landing_payment(shared)

        r = one_time_qr(shared, landing, "text/targetUrl")

        token = httpx.URL(landing).params["token"]
        assert r.json()["url"] == f"http://127.0.0.1:8000/p/{token}"

    def test_the_svg_is_the_default_image(self, shared: InProcessKasse) -> None:
        _, landing = landing_payment(shared)

        r = one_time_qr(shared, landing, "image/*")

        image = shared.client.get(local_path(r.json()["url"]))
        assert image.headers["content-type"] == "image/svg+xml"

    @pytest.mark.parametrize("url", ["https://example.com/not-a-landing-page", "http://127.0.0.1:8000/landing?token=x",
                                     ""])
    def test_a_url_that_is_no_payments_landing_page_is_400(self, shared: InProcessKasse, url: str) -> None:
        r = one_time_qr(shared, url)

        assert_error_shape(r, spec_op("POST", "/qr/v1"))
        assert (r.status_code, r.json()["invalidParams"][0]["name"]) == (400, "Url")

    def test_an_answered_or_expired_payment_has_no_qr(self, kasse: InProcessKasse) -> None:
        ref, landing = landing_payment(kasse)
        _, expiring = landing_payment(kasse)
        assert kasse.demo.approve(ref).status_code == 200
        advance_clock(kasse.client, 11 * 60)

        answered, expired = one_time_qr(kasse, landing), one_time_qr(kasse, expiring)

        for r in (answered, expired):
            assert_error_shape(r, spec_op("POST", "/qr/v1"))
            assert r.json()["detail"] == "Payment has already timed out"

    def test_another_sales_units_payment_is_not_found(self, shared: InProcessKasse) -> None:
        _, landing = landing_payment(shared)
        other = shared.session(shared.demo.new_merchant())

        r = shared.client.post("/qr/v1", json={"url": landing}, headers=other.headers(Accept=PNG))

        assert r.status_code == 400
        assert r.json()["invalidParams"][0]["reason"] == "Supplied landing page token is not valid."

    def test_no_token_is_401_and_a_text_body_is_415(self, shared: InProcessKasse) -> None:
        _, landing = landing_payment(shared)
        op = spec_op("POST", "/qr/v1")

        anonymous = shared.client.post("/qr/v1", json={"url": landing}, headers={"Accept": PNG})
        as_text = shared.demo.headers(Accept=PNG, **{"Content-Type": "text/plain"})
        text = shared.client.post("/qr/v1", content=landing, headers=as_text)

        assert anonymous.status_code == 401 and 401 in op.statuses
        assert_error_shape(text, op)
        assert text.status_code == 415


class TestMobilePayBeacon:
    def put(self, k: InProcessKasse, beacon: str, body: Any, session: Any = None) -> httpx.Response:
        r: httpx.Response = k.client.put(f"/qr/v1/merchant-callback/mobilepay/{quote(beacon, safe='')}", json=body,
                                         headers=(session or k.demo).headers())
        return r

    def test_a_mapped_beacon_is_a_callback_qr_whose_id_is_the_beacon(self, shared: InProcessKasse) -> None:
        beacon = new_reference("beacon")

        r = self.put(shared, beacon, {"locationDescription": "Kasse 1"})

        assert (r.status_code, r.content) == (200, b"")
        got = shared.client.get(f"/qr/v1/merchant-callback/{beacon}", headers=shared.demo.headers())
        assert_qr_schema(got.json(), "MerchantCallbackQr")
        assert (got.json()["merchantQrId"], got.json()["locationDescription"]) == (beacon, "Kasse 1")
        checked_in = scan(shared.client, KARI, got.json()["qrContent"]).json()
        assert checked_in["checkIn"]["merchantQrId"] == beacon

    def test_mapping_again_changes_the_location(self, shared: InProcessKasse) -> None:
        beacon = new_reference("beacon")
        self.put(shared, beacon, {"locationDescription": "Kasse 1"})

        again = self.put(shared, beacon, {"locationDescription": "Kiosk"})

        got = shared.client.get(f"/qr/v1/merchant-callback/{beacon}", headers=shared.demo.headers()).json()
        assert (again.status_code, got["locationDescription"]) == (200, "Kiosk")

    def test_another_sales_units_beacon_is_a_conflict(self, shared: InProcessKasse) -> None:
        beacon = new_reference("beacon")
        self.put(shared, beacon, {"locationDescription": "Kasse 1"})
        other = shared.session(shared.demo.new_merchant())

        r = self.put(shared, beacon, {"locationDescription": "Kasse 2"}, other)

        assert_error_shape(r, spec_op("PUT", "/qr/v1/merchant-callback/mobilepay/{beaconId}"))
        assert r.status_code == 409

    @pytest.mark.parametrize("body", [{"locationDescription": "x" * 37}, {}, {"locationDescription": 5}])
    def test_a_bad_location_is_400(self, shared: InProcessKasse, body: dict[str, Any]) -> None:
        r = self.put(shared, new_reference("beacon"), body)

        assert_error_shape(r, spec_op("PUT", "/qr/v1/merchant-callback/mobilepay/{beaconId}"))
        assert r.status_code == 400


class TestWhatTheSpecsAllow:
    def test_airline_data_without_a_ticket_number_is_taken(self, shared: InProcessKasse) -> None:
        airline = {"agencyInvoiceNumber": "123456", "airlineCode": "074", "airlineDesignatorCode": "KL",
                   "passengerName": "FLYER / MARY MS."}

        r = shared.demo.create(create_body(new_reference(), industryData={"airlineData": airline}))

        assert r.status_code == 201, r.text

    @pytest.mark.parametrize("missing", ["agencyInvoiceNumber", "passengerName"])
    def test_airline_data_needs_what_the_spec_requires(self, shared: InProcessKasse, missing: str) -> None:
        airline = {"agencyInvoiceNumber": "123456", "airlineCode": "074", "airlineDesignatorCode": "KL",
                   "passengerName": "FLYER / MARY MS.", "ticketNumber": "074-1234567890"}
        del airline[missing]

        r = shared.demo.create(create_body(new_reference(), industryData={"airlineData": airline}))

        assert r.status_code == 400
        assert {d["name"] for d in r.json()["extraDetails"]} == {f"industryData.airlineData.{missing}"}

    def test_receipt_lines_with_an_empty_name_and_id_are_taken(self, shared: InProcessKasse) -> None:
        lines = receipt(4000)
        lines["orderLines"][0].update(name="", id="")
        ref = new_reference()

        created = shared.demo.create(create_body(ref, 4000, receipt=lines))
        attached = shared.client.post(f"/order-management/v2/ECOM/receipts/{new_reference()}", json=lines,
                                      headers=shared.demo.headers())

        assert (created.status_code, attached.status_code) == (201, 201), (created.text, attached.text)

    @pytest.mark.parametrize("qr_id", ["kasse 1", "hylle#3", "kø~1+2", "a" * 128])
    def test_any_merchant_qr_id_the_spec_allows_is_taken(self, shared: InProcessKasse, qr_id: str) -> None:
        url = f"/qr/v1/merchant-callback/{quote(qr_id, safe='')}"

        put = shared.client.put(url, json={"locationDescription": ""}, headers=shared.demo.headers())

        got = shared.client.get(url, headers=shared.demo.headers())
        assert put.status_code == 200, put.text
        assert (got.json()["merchantQrId"], got.json()["locationDescription"]) == (qr_id, "")

    @pytest.mark.parametrize("qr_id", ["a" * 129, "kasse\r\n1", "kasse\x001"])
    def test_a_callback_id_too_long_for_a_printed_qr_or_with_control_characters_is_400(
            self, shared: InProcessKasse, qr_id: str) -> None:
        url = f"/qr/v1/merchant-callback/{quote(qr_id, safe='')}"

        put = shared.client.put(url, json={"locationDescription": "Kasse 1"}, headers=shared.demo.headers())
        got = shared.client.get(url, headers=shared.demo.headers())

        assert (put.status_code, [p["name"] for p in put.json()["invalidParams"]]) == (400, ["merchantQrId"])
        assert got.status_code == 404

    @pytest.mark.parametrize("qr_id", ["bill\r\nboard", "bill\nboard", "bill\x00board"])
    def test_a_redirect_qr_id_with_control_characters_is_refused(self, shared: InProcessKasse, qr_id: str) -> None:
        r = shared.client.post("/qr/v1/merchant-redirect", json={"id": qr_id, "redirectUrl": "https://shop.example/"},
                               headers=shared.demo.headers(Accept=PNG))

        assert_error_shape(r, spec_op("POST", "/qr/v1/merchant-redirect"))
        assert (r.status_code, [p["name"] for p in r.json()["invalidParams"]]) == (400, ["Id"])
