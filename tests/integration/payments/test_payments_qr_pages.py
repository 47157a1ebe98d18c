"""The one-time QR image and the pages a customer's phone opens (contract §4.2.3, §4.12)."""

import io
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from tests.harness import (
    InProcessKasse,
    advance_clock,
    authorized,
    create_body,
    in_process,
    local_path,
    new_reference,
    token_of,
)

BASE = "http://127.0.0.1:8000"


def _qr(kasse: InProcessKasse, fmt: str = "IMAGE/PNG", **extra: object) -> tuple[str, str]:
    ref = new_reference()
    r = kasse.demo.create(create_body(ref, 10000, qrFormat={"format": fmt, **extra}))
    assert r.status_code == 201, r.text
    return ref, local_path(r.json()["redirectUrl"])


def test_the_png_qr_encodes_the_payment_link(kasse: InProcessKasse) -> None:
    _, image_path = _qr(kasse, size=400)

    image = kasse.client.get(image_path)

    decoded = [b.text for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)).convert("L"))]
    assert decoded == [f"{BASE}/p/{token_of(image_path)}"]
    assert image.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("fmt", ["IMAGE/PNG", "IMAGE/SVG+XML"])
def test_the_qr_image_is_gone_once_the_payment_expired(kasse: InProcessKasse, fmt: str) -> None:
    ref, image_path = _qr(kasse, fmt)
    assert kasse.client.get(image_path).status_code == 200

    advance_clock(kasse.client, 600)

    assert kasse.client.get(image_path).status_code == 404
    assert kasse.demo.get(ref).json()["state"] == "EXPIRED"


@pytest.mark.parametrize("answer", ["approve", "cancel"])
def test_the_qr_image_is_gone_once_the_payment_left_created(kasse: InProcessKasse, answer: str) -> None:
    ref, image_path = _qr(kasse)

    r = kasse.demo.approve(ref) if answer == "approve" else kasse.demo.cancel(ref)

    assert r.status_code == 200
    assert kasse.client.get(image_path).status_code == 404


def test_the_qr_image_still_answers_just_before_expiry(kasse: InProcessKasse) -> None:
    _, image_path = _qr(kasse)

    advance_clock(kasse.client, 590)

    assert kasse.client.get(image_path).status_code == 200


@pytest.mark.parametrize("path", ["/qr-image/v1?token=no-such-token&format=png", "/qr-image/v1?token=no-such-token"])
def test_an_unknown_qr_image_is_not_found(kasse: InProcessKasse, path: str) -> None:
    assert kasse.client.get(path).status_code == 404


def test_an_unknown_image_format_is_refused(kasse: InProcessKasse) -> None:
    _, image_path = _qr(kasse)

    assert kasse.client.get(image_path.replace("format=png", "format=gif")).status_code == 400


@pytest.mark.parametrize("size", [99, 2001])
def test_a_png_size_outside_100_to_2000_is_a_bad_request(kasse: InProcessKasse, size: int) -> None:
    _, image_path = _qr(kasse)

    assert kasse.client.get(image_path.split("?")[0] + f"?size={size}").status_code == 400


def test_the_payment_link_opens_the_payment_in_the_wallet(kasse: InProcessKasse) -> None:
    _, image_path = _qr(kasse)
    token = token_of(image_path)

    r = kasse.client.get(f"/p/{token}", follow_redirects=False)

    assert r.status_code == 303
    assert r.headers["location"] == f"/wallet/p/{token}"


@pytest.mark.parametrize("path", ["/p/no-such-token", "/landing?token=no-such-token"])
def test_an_unknown_payment_link_is_not_found(kasse: InProcessKasse, path: str) -> None:
    assert kasse.client.get(path, follow_redirects=False).status_code == 404


def test_the_payment_page_shows_the_payment_in_production_mode(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        ref = new_reference()
        created = production.demo.create(create_body(ref, 12345, qrFormat={"format": "TEXT/TARGETURL"},
                                                    paymentDescription="Two <b>coffees</b>"))

        page = production.client.get(local_path(created.json()["redirectUrl"]))

        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert ref in page.text
        assert "123.45 NOK" in page.text
        assert "CREATED" in page.text
        assert "Two &lt;b&gt;coffees&lt;/b&gt;" in page.text


def test_the_payment_page_follows_the_payment_state_in_production_mode(tmp_path: Path) -> None:
    for production in in_process(tmp_path, production=True):
        ref = new_reference()
        created = production.demo.create(create_body(ref, qrFormat={"format": "TEXT/TARGETURL"}))
        production.demo.cancel(ref)

        page = production.client.get(local_path(created.json()["redirectUrl"]))

        assert "TERMINATED" in page.text


def test_an_approved_payment_keeps_its_link_page(kasse: InProcessKasse) -> None:
    ref = authorized(kasse.demo)
    url = kasse.demo.get(ref).json()["redirectUrl"]

    assert kasse.client.get(f"/p/{token_of(url)}", follow_redirects=False).status_code == 303
