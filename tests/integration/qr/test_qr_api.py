"""QR API v1 merchant-redirect and merchant-callback QRs (contract §6), against the official schemas."""

from typing import Any
from urllib.parse import quote

import httpx
import pytest
import zxingcpp
from PIL import Image

from tests.harness import InProcessKasse, advance_clock, local_path
from tests.integration.wallet_support import assert_qr_schema

TARGET = "https://shop.example/machine-42"
PNG, SVG, TARGET_URL = "image/png", "image/svg+xml", "text/targetUrl"


def create_redirect(kasse: InProcessKasse, body: dict[str, Any], accept: str = SVG, **headers: str) -> httpx.Response:
    return kasse.client.post("/qr/v1/merchant-redirect", json=body,
                             headers=kasse.demo.headers(Accept=accept, **headers))


def assert_qr_problem(response: httpx.Response, status: int, *fields: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert_qr_schema(body, "QrErrorResponse")
    assert [p["name"] for p in body["invalidParams"]] == list(fields)
    return body


def decoded(kasse: InProcessKasse, image_url: str) -> str:
    image = kasse.client.get(local_path(image_url))
    assert image.status_code == 200 and image.headers["content-type"] == PNG
    import io

    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(image.content)))
    return str(found[0].text)


class TestMerchantRedirect:
    def test_create_returns_the_image_link_the_target_and_no_expiry(self, kasse: InProcessKasse) -> None:
        created = create_redirect(kasse, {"id": "billboard_1", "redirectUrl": TARGET})

        assert created.status_code == 200, created.text
        body = created.json()
        assert_qr_schema(body, "MerchantRedirectQrResponse")
        assert body == {"id": "billboard_1", "redirectUrl": TARGET, "expiresIn": -1,
                        "url": "http://127.0.0.1:8000/qr-image/v1/r/123456/billboard_1.svg"}
        svg = kasse.client.get(local_path(body["url"]))
        assert svg.status_code == 200 and svg.headers["content-type"] == SVG

    def test_the_png_holds_a_code_that_forwards_any_browser_to_the_target(self, kasse: InProcessKasse) -> None:
        url = create_redirect(kasse, {"id": "b 1", "redirectUrl": TARGET}, PNG, Size="300").json()["url"]

        content = decoded(kasse, url)
        followed = kasse.client.get(local_path(content), follow_redirects=False)

        assert url.endswith("/b%201.png?size=300")
        assert content == "http://127.0.0.1:8000/q/r/123456/b%201"
        assert (followed.status_code, followed.headers["location"]) == (302, TARGET)

    def test_text_target_url_gives_the_content_to_render_yourself(self, kasse: InProcessKasse) -> None:
        body = create_redirect(kasse, {"id": "custom", "redirectUrl": TARGET}, TARGET_URL).json()

        assert body["url"] == "http://127.0.0.1:8000/q/r/123456/custom"

    def test_ttl_counts_down_on_the_injected_clock_and_then_the_qr_is_gone(self, kasse: InProcessKasse) -> None:
        created = create_redirect(kasse, {"id": "flash", "redirectUrl": TARGET, "ttl": 600}).json()
        advance_clock(kasse.client, 590)
        later = kasse.client.get("/qr/v1/merchant-redirect/flash", headers=kasse.demo.headers(Accept=SVG)).json()
        advance_clock(kasse.client, 10)

        gone = kasse.client.get("/qr/v1/merchant-redirect/flash", headers=kasse.demo.headers(Accept=SVG))
        assert created["expiresIn"] == 600 and 9 <= later["expiresIn"] <= 10  # the real clock moves a little too
        assert_qr_problem(gone, 404)
        assert kasse.client.get("/q/r/123456/flash", follow_redirects=False).status_code == 404
        assert kasse.client.get(local_path(created["url"])).status_code == 404
        assert create_redirect(kasse, {"id": "flash", "redirectUrl": TARGET}).status_code == 200

    def test_list_get_update_and_delete(self, kasse: InProcessKasse) -> None:
        for qr_id in ("a1", "a2"):
            create_redirect(kasse, {"id": qr_id, "redirectUrl": TARGET})
        headers = kasse.demo.headers(Accept=PNG, Size="200")

        listed = kasse.client.get("/qr/v1/merchant-redirect", headers=headers)
        updated = kasse.client.put("/qr/v1/merchant-redirect/a1", json={"redirectUrl": "https://shop.example/new"},
                                   headers=headers)
        deleted = kasse.client.delete("/qr/v1/merchant-redirect/a2", headers=headers)

        assert_qr_schema(listed.json(), "MerchantRedirectQrResponseGetAll")
        assert [q["id"] for q in listed.json()] == ["a1", "a2"]
        assert all(q["url"].endswith(".png?size=200") for q in listed.json())
        assert updated.json()["redirectUrl"] == "https://shop.example/new"
        assert kasse.client.get("/q/r/123456/a1", follow_redirects=False).headers["location"].endswith("/new")
        assert deleted.status_code == 200
        assert [q["id"] for q in kasse.client.get("/qr/v1/merchant-redirect", headers=headers).json()] == ["a1"]

    def test_a_taken_id_is_a_conflict_that_names_it(self, kasse: InProcessKasse) -> None:
        create_redirect(kasse, {"id": "dup", "redirectUrl": TARGET})

        again = create_redirect(kasse, {"id": "dup", "redirectUrl": TARGET})

        assert again.status_code == 409
        assert again.json()["id"] == "dup"

    @pytest.mark.parametrize(
        ("body", "fields"),
        [
            ({"redirectUrl": TARGET}, ["Id"]),
            ({"id": "x"}, ["RedirectUrl"]),
            ({"id": "x", "redirectUrl": "http://shop.example/"}, ["RedirectUrl"]),
            ({"id": "x/y", "redirectUrl": TARGET, "ttl": 10}, ["Id", "Ttl"]),
            ({"id": "x", "redirectUrl": TARGET, "ttl": "600"}, ["Ttl"]),
        ],
    )
    def test_bad_fields_are_400_with_invalid_params(self, kasse: InProcessKasse, body: dict[str, Any],
                                                    fields: list[str]) -> None:
        body = assert_qr_problem(create_redirect(kasse, body), 400, *fields)

        assert body["title"] == "One or more validation errors occurred."

    @pytest.mark.parametrize("method", ["get", "delete"])
    def test_an_unknown_id_is_404(self, kasse: InProcessKasse, method: str) -> None:
        response = kasse.client.request(method.upper(), "/qr/v1/merchant-redirect/nope",
                                        headers=kasse.demo.headers(Accept=SVG))

        assert_qr_problem(response, 404)

    def test_an_unknown_image_format_or_size_is_refused(self, kasse: InProcessKasse) -> None:
        body = {"id": "x", "redirectUrl": TARGET}

        assert_qr_problem(create_redirect(kasse, body, "application/json"), 400, "Accept")
        assert_qr_problem(create_redirect(kasse, body, PNG, Size="50"), 400, "Size")

    def test_another_sales_units_qr_is_invisible(self, kasse: InProcessKasse) -> None:
        create_redirect(kasse, {"id": "mine", "redirectUrl": TARGET})
        other = kasse.session(kasse.demo.new_merchant())

        response = kasse.client.get("/qr/v1/merchant-redirect/mine", headers=other.headers(Accept=SVG))

        assert response.status_code == 404

    def test_no_token_no_qr(self, kasse: InProcessKasse) -> None:
        response = kasse.client.get("/qr/v1/merchant-redirect", headers={"Accept": SVG})

        assert response.status_code == 401


class TestMerchantCallback:
    def put(self, kasse: InProcessKasse, qr_id: str, body: Any, **headers: str) -> httpx.Response:
        return kasse.client.put(f"/qr/v1/merchant-callback/{qr_id}", json=body, headers=kasse.demo.headers(**headers))

    def test_put_then_get_gives_location_image_and_content(self, kasse: InProcessKasse) -> None:
        created = self.put(kasse, "till-1", {"locationDescription": "Kasse 1"})

        got = kasse.client.get("/qr/v1/merchant-callback/till-1?QrImageFormat=PNG&QrImageSize=500",
                               headers=kasse.demo.headers())

        assert (created.status_code, created.content) == (200, b"")
        body = got.json()
        assert_qr_schema(body, "MerchantCallbackQr")
        assert body == {"merchantSerialNumber": "123456", "merchantQrId": "till-1", "locationDescription": "Kasse 1",
                        "qrImageUrl": "http://127.0.0.1:8000/qr-image/v1/c/123456/till-1.png?size=500",
                        "qrContent": "http://127.0.0.1:8000/q/c/123456/till-1"}
        assert decoded(kasse, body["qrImageUrl"]) == body["qrContent"]

    def test_a_second_put_changes_the_location_and_the_list_shows_svg_by_default(self, kasse: InProcessKasse) -> None:
        self.put(kasse, "till-1", {"locationDescription": "Kasse 1"})
        self.put(kasse, "till-2", {"locationDescription": "Kasse 2"})
        self.put(kasse, "till-1", {"locationDescription": "Kiosk"})

        listed = kasse.client.get("/qr/v1/merchant-callback", headers=kasse.demo.headers()).json()

        assert [(q["merchantQrId"], q["locationDescription"]) for q in listed] == [("till-1", "Kiosk"),
                                                                                   ("till-2", "Kasse 2")]
        assert all(q["qrImageUrl"].endswith(".svg") for q in listed)

    def test_delete_removes_it_and_an_unknown_one_is_404(self, kasse: InProcessKasse) -> None:
        self.put(kasse, "till-1", {"locationDescription": "Kasse 1"})

        deleted = kasse.client.delete("/qr/v1/merchant-callback/till-1", headers=kasse.demo.headers())
        again = kasse.client.delete("/qr/v1/merchant-callback/till-1", headers=kasse.demo.headers())

        assert deleted.status_code == 200
        assert_qr_problem(again, 404)
        assert_qr_problem(kasse.client.get("/qr/v1/merchant-callback/till-1", headers=kasse.demo.headers()), 404)

    @pytest.mark.parametrize(("body", "field"), [({"locationDescription": "x" * 37}, "LocationDescription"),
                                                 ({}, "LocationDescription"),
                                                 ({"locationDescription": 1}, "LocationDescription")])
    def test_location_description_is_required_and_at_most_36(self, kasse: InProcessKasse, body: Any,
                                                              field: str) -> None:
        assert_qr_problem(self.put(kasse, "till-1", body), 400, field)

    def test_the_msn_header_is_required(self, kasse: InProcessKasse) -> None:
        headers = {k: v for k, v in kasse.demo.headers().items() if k != "Merchant-Serial-Number"}

        response = kasse.client.get("/qr/v1/merchant-callback", headers=headers)

        assert response.status_code == 400

    def test_a_bad_image_format_is_refused(self, kasse: InProcessKasse) -> None:
        response = kasse.client.get("/qr/v1/merchant-callback?QrImageFormat=GIF", headers=kasse.demo.headers())

        assert_qr_problem(response, 400, "QrImageFormat")

    def test_opening_the_content_in_a_browser_hands_it_to_the_wallet(self, kasse: InProcessKasse) -> None:
        opened = kasse.client.get("/q/c/123456/till-1", follow_redirects=False)

        assert opened.status_code == 303
        assert opened.headers["location"] == "/wallet/open?content=" + quote(
            "http://127.0.0.1:8000/q/c/123456/till-1", safe="")
