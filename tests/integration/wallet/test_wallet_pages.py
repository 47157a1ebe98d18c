"""The wallet's web pages over HTTP, no browser: log in, pay, scan by paste and photo, landing page, live events."""

from typing import Any

import httpx
import orjson
import pytest

from tests.harness import InProcessKasse, create_body, local_path, new_reference, receipt
from tests.integration.wallet_support import BASE, KARI, pushed, state


@pytest.fixture
def kari(kasse: InProcessKasse) -> InProcessKasse:
    kasse.client.cookies.set("kasse_wallet_user", KARI)
    return kasse


def post(kasse: InProcessKasse, path: str, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = kasse.client.post(path, follow_redirects=False, **kwargs)
    assert response.status_code == 303, response.text
    return response


def test_the_wallet_asks_who_you_are_first_and_then_takes_you_back(kasse: InProcessKasse) -> None:
    asked = kasse.client.get("/wallet/history", follow_redirects=False)
    login = kasse.client.get(asked.headers["location"])
    logged_in = post(kasse, "/wallet/login", data={"msisdn": KARI, "next": "/wallet/history"})

    assert asked.headers["location"] == "/wallet/login?next=%2Fwallet%2Fhistory"
    assert "Kari Nordmann" in login.text and "under 18" in login.text
    assert logged_in.headers["location"] == "/wallet/history"
    assert kasse.client.get("/wallet").status_code == 200


def test_login_refuses_unknown_users_and_foreign_next_urls(kasse: InProcessKasse) -> None:
    unknown = post(kasse, "/wallet/login", data={"msisdn": "4700000000"})
    foreign = post(kasse, "/wallet/login", data={"msisdn": KARI, "next": "https://evil.example/"})

    assert unknown.headers["location"] == "/wallet/login?error=UNKNOWN_USER"
    assert foreign.headers["location"] == "/wallet"


def test_a_pushed_payment_is_in_the_inbox_with_its_receipt_and_can_be_paid(kari: InProcessKasse) -> None:
    reference = pushed(kari.demo, value=11900, paymentDescription="Café Kasse, till 2", receipt=receipt(11900))

    home = kari.client.get("/wallet")
    page = kari.client.get(f"/wallet/pay/123456/{reference}")
    paid = post(kari, f"/wallet/pay/123456/{reference}/approve")
    after = kari.client.get(paid.headers["location"])

    assert "kasse demo shop" in home.text and "119,00 kr" in home.text
    assert "Café Kasse, till 2" in page.text and "Coffee" in page.text and 'id="approve"' in page.text
    assert state(kari.demo, reference) == "AUTHORIZED"
    assert "Paid" in after.text and 'id="approve"' not in after.text
    assert "Coffee" in kari.client.get(f"/wallet/receipt/123456/{reference}").text
    assert reference in kari.client.get("/wallet/history").text


def test_rejecting_in_the_page_aborts(kari: InProcessKasse) -> None:
    reference = pushed(kari.demo)

    post(kari, f"/wallet/pay/123456/{reference}/reject")

    assert state(kari.demo, reference) == "ABORTED"


def test_202_shows_the_bankid_step_first(kari: InProcessKasse) -> None:
    reference = pushed(kari.demo, value=202)

    asked = post(kari, f"/wallet/pay/123456/{reference}/approve")
    step = kari.client.get(asked.headers["location"])
    post(kari, f"/wallet/pay/123456/{reference}/approve", data={"sca": "1"})

    assert asked.headers["location"].endswith("?sca=1")
    assert "Confirm with BankID" in step.text
    assert state(kari.demo, reference) == "AUTHORIZED"


def test_someone_elses_payment_is_not_shown(kari: InProcessKasse) -> None:
    reference = pushed(kari.demo, msisdn="4798765432")

    assert kari.client.get(f"/wallet/pay/123456/{reference}").status_code == 404


def qr_payment(kasse: InProcessKasse, **qr: Any) -> tuple[str, str]:
    reference = new_reference()
    created = kasse.demo.create(create_body(reference, 4900, qrFormat=qr or {"format": "IMAGE/PNG", "size": 400}))
    return reference, created.json()["redirectUrl"]


def test_pasting_a_one_time_qr_opens_its_payment(kari: InProcessKasse) -> None:
    reference, content = qr_payment(kari, format="TEXT/TARGETURL")

    opened = post(kari, "/wallet/scan", files={"content": (None, content)})

    assert opened.headers["location"] == f"/wallet/pay/123456/{reference}"


def test_a_photo_of_the_one_time_qr_is_decoded_on_the_server(kari: InProcessKasse) -> None:
    reference, image_url = qr_payment(kari)
    png = kari.client.get(local_path(image_url)).content

    opened = post(kari, "/wallet/scan", files={"image": ("qr.png", png, "image/png")})

    assert opened.headers["location"] == f"/wallet/pay/123456/{reference}"


def test_a_photo_without_a_qr_code_is_refused_kindly(kari: InProcessKasse) -> None:
    refused = post(kari, "/wallet/scan", files={"image": ("cat.png", b"not an image", "image/png")})

    assert refused.headers["location"] == "/wallet/scan?error=UNREADABLE_IMAGE"
    assert "No QR code could be read" in kari.client.get(refused.headers["location"]).text


def test_a_redirect_qr_sends_the_browser_to_the_merchant(kari: InProcessKasse) -> None:
    kari.client.post("/qr/v1/merchant-redirect", json={"id": "m42", "redirectUrl": "https://shop.example/m42"},
                     headers=kari.demo.headers(Accept="image/svg+xml"))

    opened = post(kari, "/wallet/scan", files={"content": (None, f"{BASE}/q/r/123456/m42")})

    assert opened.headers["location"] == "https://shop.example/m42"


def test_a_callback_qr_shows_the_waiting_screen_until_the_payment_arrives(kari: InProcessKasse) -> None:
    kari.client.put("/qr/v1/merchant-callback/till-9", json={"locationDescription": "Kiosk 9"},
                    headers=kari.demo.headers())
    opened = kari.client.get("/q/c/123456/till-9", follow_redirects=False)
    waiting_at = kari.client.get(opened.headers["location"], follow_redirects=False).headers["location"]
    token = waiting_at.rsplit("/", 1)[1]

    waiting = kari.client.get(waiting_at)
    before = events(kari, f"?seconds=0&checkIn={token}")
    created = kari.demo.create(create_body(new_reference(), 2500, userFlow="PUSH_MESSAGE",
                                           customer={"customerToken": token}))
    after = events(kari, f"?seconds=0&checkIn={token}")

    assert "Kiosk 9" in waiting.text and "Waiting for the merchant" in waiting.text
    assert "open" not in before
    assert after["open"] == f"/wallet/pay/123456/{created.json()['reference']}"
    assert after["sig"] != before["sig"]


def events(kasse: InProcessKasse, query: str) -> dict[str, Any]:
    streamed = kasse.client.get(f"/wallet/api/events{query}")
    assert streamed.headers["content-type"].startswith("text/event-stream")
    data = [line.removeprefix("data: ") for line in streamed.text.splitlines() if line.startswith("data: ")]
    found: dict[str, Any] = orjson.loads(data[-1])
    return found


def test_the_event_stream_reports_a_changed_wallet(kari: InProcessKasse) -> None:
    first = events(kari, "?seconds=0")
    pushed(kari.demo)

    assert events(kari, "?seconds=0")["sig"] != first["sig"]


def test_the_event_stream_needs_a_user(kasse: InProcessKasse) -> None:
    assert kasse.client.get("/wallet/api/events?seconds=0").status_code == 401


def test_a_one_time_qr_opened_by_a_phone_camera_leads_into_the_wallet(kari: InProcessKasse) -> None:
    reference, content = qr_payment(kari, format="TEXT/TARGETURL")

    first = kari.client.get(local_path(content), follow_redirects=False)
    second = kari.client.get(first.headers["location"], follow_redirects=False)

    assert first.headers["location"].startswith("/wallet/p/")
    assert second.headers["location"] == f"/wallet/pay/123456/{reference}"


def test_the_landing_page_sends_the_request_to_the_typed_number(kasse: InProcessKasse) -> None:
    reference = new_reference()
    created = kasse.demo.create(create_body(reference, 7500, userFlow="WEB_REDIRECT",
                                            returnUrl="https://shop.example/done"))
    landing = kasse.client.get(local_path(created.json()["redirectUrl"]))
    token = str(landing.url.params["token"])

    unknown = post(kasse, "/wallet/landing", data={"token": token, "phone": "99 99 99 99"})
    sent = post(kasse, "/wallet/landing", data={"token": token, "phone": "12 34 56 78"})
    opened = post(kasse, "/wallet/landing/open", data={"msisdn": KARI})

    assert "Your phone number" in landing.text and "75,00 kr" in landing.text
    assert unknown.headers["location"].endswith("error=UNKNOWN_USER")
    assert "+47 12 34 56 78" in kasse.client.get(sent.headers["location"]).text
    assert opened.headers["location"] == "/wallet"
    assert reference in kasse.client.get("/wallet").text


def test_my_qr_shows_the_tokenized_code_and_the_clear_text_one_on_request(kari: InProcessKasse) -> None:
    user = kari.client.get(f"/_kasse/users/{KARI}").json()

    tokenized = kari.client.get("/wallet/qr").text
    clear = kari.client.get("/wallet/qr?v=1").text

    assert "<svg" in tokenized and user["personalQr"]["tokenized"] in tokenized
    assert user["personalQr"]["clearText"] in clear


@pytest.mark.parametrize("path", ["/wallet", "/wallet/history", "/wallet/qr", "/wallet/scan", "/wallet/open?content=x",
                                  "/wallet/p/tok", "/wallet/pay/123456/ref-12345", "/wallet/waiting/tok"])
def test_every_screen_asks_who_you_are_first(kasse: InProcessKasse, path: str) -> None:
    asked = kasse.client.get(path, follow_redirects=False)

    assert asked.status_code == 303 and asked.headers["location"].startswith("/wallet/login?next=")


@pytest.mark.parametrize(
    ("path", "location"),
    [("/wallet/p/no-such-token", "/wallet/scan?error=UNKNOWN_PAYMENT"),
     ("/wallet/open?content=https%3A%2F%2Fexample.com%2F", "/wallet/scan?error=UNKNOWN_QR"),
     ("/wallet/waiting/no-such-check-in", "/wallet/scan?error=QR_NO_LONGER_VALID")],
)
def test_links_that_lead_nowhere_come_back_to_the_scanner_with_a_reason(kari: InProcessKasse, path: str,
                                                                        location: str) -> None:
    assert kari.client.get(path, follow_redirects=False).headers["location"] == location


def test_an_answer_the_wallet_refuses_is_shown_on_the_payment(kari: InProcessKasse) -> None:
    reference = pushed(kari.demo)
    post(kari, f"/wallet/pay/123456/{reference}/reject")

    again = post(kari, f"/wallet/pay/123456/{reference}/approve")

    assert again.headers["location"].endswith("?error=ALREADY_ANSWERED")
    assert "You have already answered this payment." in kari.client.get(again.headers["location"]).text


def test_logging_out_forgets_the_user(kasse: InProcessKasse) -> None:
    post(kasse, "/wallet/login", data={"msisdn": KARI})

    post(kasse, "/wallet/logout")

    assert kasse.client.get("/wallet", follow_redirects=False).status_code == 303


def test_an_unknown_landing_token_is_404(kasse: InProcessKasse) -> None:
    assert kasse.client.get("/wallet/landing?token=nope").status_code == 404
    assert kasse.client.get("/landing?token=nope").status_code == 404
