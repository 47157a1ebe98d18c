"""The built-in POS sells for a sales unit of its own, so the demo unit stays the developer's (#13.8).

Before, the embedded POS took the demo unit's only `user.checked-in.v1` registration (a developer's own got
400) and received every demo-unit event at /pos/webhooks; and the till said "Café Kasse" where the wallet said
"kasse demo shop".
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from kasse.settings import DEMO_SHOP
from tests.harness import DEMO_CREDENTIALS, DEMO_PHONE, SHOP_CREDENTIALS, ApiSession, ServerProcess, with_csrf

pytestmark = pytest.mark.slow  # a real `kasse serve` with its POS
CHECKED_IN = "user.checked-in.v1"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    running = ServerProcess(tmp_path_factory.mktemp("pos-unit") / "kasse.db").start()
    try:
        yield running
    finally:
        running.stop()


def registrations(unit: ApiSession) -> list[dict[str, object]]:
    r = unit.client.get("/webhooks/v1/webhooks", headers=unit.headers())
    assert r.status_code == 200, r.text
    found: list[dict[str, object]] = r.json()["webhooks"]
    return found


def test_the_pos_registers_on_its_own_unit_and_the_demo_unit_keeps_its_check_in_registration(
        server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as client:
        assert client.get("/pos").status_code == 200  # the till starts the POS, which registers its webhooks
        shop, demo = ApiSession(client, SHOP_CREDENTIALS), ApiSession(client, DEMO_CREDENTIALS)
        deadline = time.monotonic() + 20
        while not (shop_hooks := registrations(shop)) and time.monotonic() < deadline:
            time.sleep(0.1)
        mine = client.post("/webhooks/v1/webhooks", json={"url": "http://127.0.0.1:9/hooks", "events": [CHECKED_IN]},
                           headers=demo.headers())
        demo_hooks = registrations(demo)

    assert [h["url"] for h in shop_hooks] == [f"{server.url}/pos/webhooks"]
    assert CHECKED_IN in shop_hooks[0]["events"]  # type: ignore[operator]
    assert mine.status_code == 201, mine.text  # 400 before: the POS held the demo unit's one registration
    assert [h["url"] for h in demo_hooks] == ["http://127.0.0.1:9/hooks"]  # no demo-unit event goes to the POS


def test_the_till_and_the_wallet_call_the_shop_by_the_same_name(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.url, trust_env=False, timeout=10) as client:
        till = with_csrf(client, "/pos").get("/pos")
        client.post("/pos/api/terminals/name-1/cart", json={"productId": "latte", "delta": 1})
        sent = client.post("/pos/api/terminals/name-1/pay", json={"method": "phone", "value": DEMO_PHONE[2:]})
        assert sent.status_code == 200, sent.text
        client.cookies.set("kasse_wallet_user", DEMO_PHONE)
        wallet = client.get("/wallet")

    assert DEMO_SHOP.name in till.text
    assert f"<b>{DEMO_SHOP.name}</b>" in wallet.text  # the request's sales unit, as the wallet lists it
