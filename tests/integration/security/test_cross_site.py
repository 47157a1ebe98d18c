"""A page on another site can make a browser send requests to kasse, but none of them may count.

The till runs for real (an in-process server on a loopback port, its POS talking to it through the SDK);
the attacker's requests are what a browser sends for a cross-site form: an `Origin` of its own,
`Sec-Fetch-Site: cross-site`, and no CSRF token (a page of another site cannot read kasse's cookie).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from starlette.testclient import TestClient

from kasse.testing.server import KasseServer
from tests.harness import SHOP_CREDENTIALS, ApiSession, InProcessKasse, with_csrf
from tests.integration.pos_support import KARI, wallet_answer

EVIL = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KasseServer]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("KASSE_POS_FIRST_POLL", "0.05")
        env.setenv("KASSE_POS_POLL_INTERVAL", "0.05")
        server = KasseServer.start(tmp_path_factory.mktemp("cross-site") / "kasse.db")
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def till(shop: KasseServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=20.0, trust_env=False) as client:
        yield with_csrf(client)


def attacker(shop: KasseServer, victim: httpx.Client | None = None) -> httpx.Client:
    """A browser on evil.example posting to kasse; with `victim`, one that even sends the victim's cookies."""
    return httpx.Client(base_url=shop.url, trust_env=False, headers=EVIL,
                        cookies=victim.cookies if victim is not None else None)


def state(till: httpx.Client) -> dict[str, Any]:
    found: dict[str, Any] = till.get("/pos/api/terminals/till-1").json()
    return found


def paid_sale(shop: KasseServer, till: httpx.Client) -> str:
    till.post("/pos/api/terminals/till-1/done")
    assert till.post("/pos/api/terminals/till-1/cart", json={"productId": "latte", "delta": 1}).status_code == 200
    reference: str = till.post("/pos/api/terminals/till-1/pay", json={"method": "phone", "value": KARI}
                               ).json()["sale"]["reference"]
    wallet_answer(shop.url, reference)
    deadline = time.monotonic() + 15
    while state(till)["sale"]["status"] != "paid":
        assert time.monotonic() < deadline, state(till)
        time.sleep(0.05)
    return reference


def refunded(shop: KasseServer, reference: str) -> int:
    with httpx.Client(base_url=shop.url, trust_env=False) as platform:
        payment = ApiSession(platform, SHOP_CREDENTIALS).get(reference).json()  # the POS's sales unit
    value: int = payment["aggregate"]["refundedAmount"]["value"]
    return value


def test_a_cross_site_text_plain_form_post_cannot_start_a_payment(shop: KasseServer, till: httpx.Client) -> None:
    till.post("/pos/api/terminals/till-1/done")
    till.post("/pos/api/terminals/till-1/clear")
    till.post("/pos/api/terminals/till-1/cart", json={"productId": "espresso", "delta": 1})
    form = {"content": '{"method": "qr", "x": "', "headers": {"content-type": "text/plain"}}

    with attacker(shop) as stranger, attacker(shop, till) as riding:
        answers = [client.post("/pos/api/terminals/till-1/pay", **form) for client in (stranger, riding)]
        filled = riding.post("/pos/api/terminals/till-1/cart", content='{"productId": "latte", "delta": 5}',
                             headers={"content-type": "text/plain"})

    assert [a.status_code for a in answers] == [403, 403]
    assert filled.status_code == 403
    assert state(till)["sale"] is None
    assert [line["id"] for line in state(till)["cart"]["lines"]] == ["espresso"]


def test_an_anonymous_refund_from_another_site_is_refused_and_refunds_nothing(shop: KasseServer,
                                                                             till: httpx.Client) -> None:
    reference = paid_sale(shop, till)
    target = f"/pos/sales/{reference}/refund"

    with attacker(shop) as stranger, attacker(shop, till) as riding:
        refusals = [client.post(target, data={"full": "1"}) for client in (stranger, riding)]
        with_token = riding.post(target, data={"full": "1", "csrf_token": till.cookies["kasse_csrf"]})
    without_token = till.post(target, data={"full": "1"}, headers={"x-csrf-token": ""})
    before = refunded(shop, reference)
    done = till.post(target, data={"amount": "5,00"})

    assert [r.status_code for r in [*refusals, with_token, without_token]] == [403, 403, 403, 403]
    assert before == 0
    assert done.status_code == 303 and refunded(shop, reference) == 500


def test_every_form_of_the_pages_carries_the_csrf_token(shop: KasseServer, till: httpx.Client) -> None:
    reference = paid_sale(shop, till)
    pages = ["/pos/catalogue", f"/pos/sales/{reference}", "/pos/signin", "/pos/shop/honesty-1", "/pos/vending/3",
             "/wallet/login", "/console/signin"]
    token = till.cookies["kasse_csrf"]

    for page in pages:
        html = till.get(page).text
        forms = re.findall(r"<form[^>]*method=\"post\"[^>]*>(.*?)</form>", html, flags=re.S)

        assert forms, page
        assert all(f'name="csrf_token" value="{token}"' in form for form in forms), page


def test_a_first_visit_gets_a_csrf_cookie_that_scripts_can_read(shop: KasseServer) -> None:
    first = httpx.get(f"{shop.url}/pos/signin", trust_env=False)
    proxied = httpx.get(f"{shop.url}/pos/signin", headers={"X-Forwarded-Proto": "https"}, trust_env=False)

    cookie = first.headers["set-cookie"]
    assert cookie.startswith("kasse_csrf=") and "SameSite=Lax" in cookie
    assert "HttpOnly" not in cookie and "Secure" not in cookie
    assert "Secure" in proxied.headers["set-cookie"]


@pytest.mark.parametrize("headers", [{"Sec-Fetch-Site": "cross-site"}, {"Origin": "http://evil.example"},
                                     {"Sec-Fetch-Site": "same-site"}, {"Origin": "null"}])
def test_the_control_plane_refuses_pages_of_other_sites(kasse: InProcessKasse, headers: dict[str, str]) -> None:
    kasse.client.post("/_kasse/clock/freeze")
    before = kasse.client.get("/_kasse/clock").json()

    refused = kasse.client.post("/_kasse/clock/advance", json={"duration": "1h"}, headers=headers)

    assert refused.status_code == 403
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert kasse.client.get("/_kasse/clock").json() == before


@pytest.mark.parametrize("headers", [{}, {"Origin": "http://127.0.0.1:8000", "Sec-Fetch-Site": "same-origin"}])
def test_the_control_plane_still_answers_the_cli_and_its_own_pages(kasse: InProcessKasse,
                                                                   headers: dict[str, str]) -> None:
    assert kasse.client.post("/_kasse/clock/advance", json={"duration": "1m"}, headers=headers).status_code == 200


def test_wallet_forms_from_another_site_are_refused(kasse: InProcessKasse) -> None:
    stranger = TestClient(kasse.client.app, base_url="http://127.0.0.1:8000")  # no cookie, no token; no lifespan

    login = stranger.post("/wallet/login", data={"msisdn": KARI}, headers=EVIL)
    no_token = stranger.post("/wallet/login", data={"msisdn": KARI})

    assert (login.status_code, no_token.status_code) == (403, 403)
    assert "kasse_wallet_user" not in login.headers.get("set-cookie", "")
