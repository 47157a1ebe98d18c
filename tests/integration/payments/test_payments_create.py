"""Create payment (contract §4.2): 201, what `redirectUrl` holds per userFlow, and what GET echoes back."""

import io
from typing import Any

import pytest
from PIL import Image

from tests.harness import (
    DEMO_PHONE,
    InProcessKasse,
    assert_matches_spec,
    create_body,
    local_path,
    new_reference,
    receipt,
    shared_kasse,
    token_of,
)

kasse = shared_kasse("create")  # every test uses its own random references and keys

BASE = "http://127.0.0.1:8000"
FLOWS: dict[str, dict[str, Any]] = {
    "QR": {},
    "WEB_REDIRECT": {"returnUrl": "https://shop.example/back"},
    "NATIVE_REDIRECT": {"returnUrl": "shopapp://back"},
    "PUSH_MESSAGE": {"customer": {"phoneNumber": DEMO_PHONE}},
}


def _create(kasse: InProcessKasse, **extra: Any) -> tuple[str, dict[str, Any]]:
    ref = new_reference()
    r = kasse.demo.create(create_body(ref, 10000, **extra))
    assert r.status_code == 201, r.text
    assert r.headers["content-type"] == "application/json"
    return ref, r.json()


def test_a_qr_payment_answers_201_with_an_svg_image_url_by_default(kasse: InProcessKasse) -> None:
    ref, body = _create(kasse, userFlow="QR")

    image = kasse.client.get(local_path(body["redirectUrl"]))

    assert body == {"reference": ref, "redirectUrl": body["redirectUrl"]}
    assert body["redirectUrl"].startswith(f"{BASE}/qr-image/v1?token=")
    assert "format=" not in body["redirectUrl"]
    assert image.status_code == 200
    assert image.headers["content-type"].startswith("image/svg+xml")
    assert b"<svg" in image.content


def test_an_explicit_svg_format_is_the_same_as_the_default(kasse: InProcessKasse) -> None:
    _, body = _create(kasse, userFlow="QR", qrFormat={"format": "IMAGE/SVG+XML"})

    assert "format=" not in body["redirectUrl"]


@pytest.mark.parametrize(("qr_format", "pixels"), [({"format": "IMAGE/PNG", "size": 300}, 300),
                                                   ({"format": "IMAGE/PNG"}, 1024)])
def test_a_png_qr_payment_links_a_square_png_of_the_asked_size(
    kasse: InProcessKasse, qr_format: dict[str, Any], pixels: int
) -> None:
    _, body = _create(kasse, userFlow="QR", qrFormat=qr_format)

    image = kasse.client.get(local_path(body["redirectUrl"]))

    assert "format=png" in body["redirectUrl"]
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(image.content)).size == (pixels, pixels)


def test_a_target_url_qr_payment_returns_the_url_the_qr_should_encode(kasse: InProcessKasse) -> None:
    _, body = _create(kasse, userFlow="QR", qrFormat={"format": "TEXT/TARGETURL"})

    opened = kasse.client.get(local_path(body["redirectUrl"]), follow_redirects=False)

    token = token_of(body["redirectUrl"])
    assert body["redirectUrl"] == f"{BASE}/p/{token}"
    assert opened.status_code == 303  # outside production the simulated wallet opens it
    assert opened.headers["location"] == f"/wallet/p/{token}"


def test_a_push_message_payment_has_no_redirect_url(kasse: InProcessKasse) -> None:
    ref, body = _create(kasse, **FLOWS["PUSH_MESSAGE"], userFlow="PUSH_MESSAGE")

    assert body == {"reference": ref}
    assert "redirectUrl" not in kasse.demo.get(ref).json()


def test_a_web_redirect_payment_links_its_landing_page(kasse: InProcessKasse) -> None:
    _, body = _create(kasse, **FLOWS["WEB_REDIRECT"], userFlow="WEB_REDIRECT")

    landing = kasse.client.get(local_path(body["redirectUrl"]))

    assert body["redirectUrl"].startswith(f"{BASE}/landing?token=")
    assert landing.status_code == 200
    assert "kasse demo shop" in landing.text


def test_a_native_redirect_payment_gets_a_redirect_url(kasse: InProcessKasse) -> None:
    ref, body = _create(kasse, **FLOWS["NATIVE_REDIRECT"], userFlow="NATIVE_REDIRECT")

    assert body["reference"] == ref
    assert body["redirectUrl"]


def test_every_payment_gets_its_own_redirect_token(kasse: InProcessKasse) -> None:
    urls = {_create(kasse)[1]["redirectUrl"] for _ in range(3)}

    assert len(urls) == 3


def test_a_new_payment_reads_back_as_created_with_an_empty_aggregate(kasse: InProcessKasse) -> None:
    ref, created = _create(kasse, paymentDescription="Two coffees")

    got = kasse.demo.get(ref)
    events = kasse.demo.events(ref).json()

    assert got.status_code == 200
    body = got.json()
    zero = {"currency": "NOK", "value": 0}
    assert body["state"] == "CREATED"
    assert body["amount"] == {"currency": "NOK", "value": 10000}
    assert body["aggregate"] == {"authorizedAmount": zero, "cancelledAmount": zero, "capturedAmount": zero,
                                 "refundedAmount": zero}
    assert body["paymentMethod"] == {"type": "WALLET"}
    assert body["profile"] == {}
    assert body["reference"] == ref
    assert body["redirectUrl"] == created["redirectUrl"]
    assert body["pspReference"] == events[0]["pspReference"]
    assert [e["name"] for e in events] == ["CREATED"]


def test_get_echoes_the_metadata_sent_on_create(kasse: InProcessKasse) -> None:
    metadata = {"orderId": "1001", "till": "3", "k" * 100: "v" * 500}
    ref, _ = _create(kasse, metadata=metadata)

    assert kasse.demo.get(ref).json()["metadata"] == metadata


def test_an_in_person_payment_with_a_receipt_and_description_is_accepted(kasse: InProcessKasse) -> None:
    ref, _ = _create(kasse, customerInteraction="CUSTOMER_PRESENT", receipt=receipt(10000),
                     paymentDescription="Coffee", receiptUrl="https://shop.example/r/1")

    assert kasse.demo.get(ref).json()["state"] == "CREATED"


@pytest.mark.parametrize(("market", "currency", "smallest"), [("DK", "DKK", 1), ("FI", "EUR", 1), ("NO", "NOK", 100)])
def test_each_market_takes_its_currency_down_to_its_smallest_amount(
    kasse: InProcessKasse, market: str, currency: str, smallest: int
) -> None:
    session = kasse.session(kasse.demo.new_merchant(market=market))
    ref = new_reference()

    r = session.create({**create_body(ref), "amount": {"currency": currency, "value": smallest}})

    assert r.status_code == 201, r.text
    assert session.get(ref).json()["amount"] == {"currency": currency, "value": smallest}


def test_the_largest_amount_the_spec_allows_is_accepted(kasse: InProcessKasse) -> None:
    assert kasse.demo.create(create_body(new_reference(), 65_000_000)).status_code == 201


def test_a_reference_of_64_characters_is_accepted(kasse: InProcessKasse) -> None:
    ref = "A-" + "x" * 62

    assert kasse.demo.create(create_body(ref)).status_code == 201
    assert kasse.demo.get(ref).json()["reference"] == ref


@pytest.mark.parametrize("flow", sorted(FLOWS))
def test_create_and_get_responses_match_the_spec(kasse: InProcessKasse, flow: str) -> None:
    ref, body = _create(kasse, userFlow=flow, metadata={"a": "b"}, **FLOWS[flow])

    assert_matches_spec(body, "CreatePaymentResponse")
    assert_matches_spec(kasse.demo.get(ref).json(), "GetPaymentResponse")
    for event in kasse.demo.events(ref).json():
        assert_matches_spec(event, "PaymentEvent")
