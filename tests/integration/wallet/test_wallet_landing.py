"""A web payment's customer gets back to the shop, and a signed-in wallet user is not asked for a number (#13.4)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.harness import InProcessKasse, create_body, local_path, new_reference
from tests.integration.wallet_support import KARI

RETURN = "https://shop.example/receipt/1"


def post(kasse: InProcessKasse, path: str, **kwargs: Any) -> httpx.Response:
    response: httpx.Response = kasse.client.post(path, follow_redirects=False, **kwargs)
    assert response.status_code == 303, response.text
    return response


@pytest.fixture
def web_payment(kasse: InProcessKasse) -> tuple[str, str]:
    """(reference, landing path) of a WEB_REDIRECT payment with a returnUrl."""
    reference = new_reference()
    created = kasse.demo.create(create_body(reference, 2900, userFlow="WEB_REDIRECT", returnUrl=RETURN))
    assert created.status_code == 201, created.text
    return reference, local_path(created.json()["redirectUrl"])


def test_a_signed_in_user_pays_as_themselves_and_is_sent_back_to_the_shop(kasse: InProcessKasse,
                                                                         web_payment: tuple[str, str]) -> None:
    reference, landing_path = web_payment
    kasse.client.cookies.set("kasse_wallet_user", KARI)
    landing = kasse.client.get(landing_path)
    token = str(landing.url.params["token"])
    other = kasse.client.get(f"/wallet/landing?token={token}&other=1")

    taken = post(kasse, "/wallet/landing/me", data={"token": token})
    approved = post(kasse, f"/wallet/pay/123456/{reference}/approve")
    page = kasse.client.get(f"/wallet/pay/123456/{reference}")

    assert "Your phone number" not in landing.text and "Continue as Kari" in landing.text
    assert "Your phone number" in other.text  # someone else paying on this device may still type theirs
    assert taken.headers["location"] == f"/wallet/pay/123456/{reference}"
    assert approved.headers["location"] == RETURN  # the shop's receipt page, as returnUrl names it
    assert f'href="{RETURN}"' in page.text  # and the wallet keeps the way back


def test_the_landing_page_returns_to_the_shop_once_the_phone_answered(kasse: InProcessKasse,
                                                                      web_payment: tuple[str, str]) -> None:
    reference, landing_path = web_payment
    token = str(kasse.client.get(landing_path).url.params["token"])
    sent = post(kasse, "/wallet/landing", data={"token": token, "phone": "12 34 56 78"})
    waiting = kasse.client.get(sent.headers["location"], follow_redirects=False)
    approved = kasse.client.post(f"/_kasse/wallet/{KARI}/payments/{reference}/approve", json={})
    after = kasse.client.get(sent.headers["location"], follow_redirects=False)

    assert waiting.status_code == 200 and 'http-equiv="refresh"' in waiting.text  # it keeps looking
    assert approved.status_code == 200, approved.text
    assert (after.status_code, after.headers["location"]) == (303, RETURN)


def test_a_pushed_payment_stays_in_the_wallet_after_approval(kasse: InProcessKasse) -> None:
    reference = new_reference()
    body = create_body(reference, 2900, userFlow="PUSH_MESSAGE", customer={"phoneNumber": KARI}, returnUrl=RETURN)
    assert kasse.demo.create(body).status_code == 201
    kasse.client.cookies.set("kasse_wallet_user", KARI)

    approved = post(kasse, f"/wallet/pay/123456/{reference}/approve")

    assert approved.headers["location"] == f"/wallet/pay/123456/{reference}"
