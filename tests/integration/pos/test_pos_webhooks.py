"""The POS mounted in `kasse serve`: it registers its own receiver, acts on signed webhooks, rejects forged ones."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson
import pytest

from kasse.domain import webhook_signature
from tests.harness import ServerProcess, with_csrf
from tests.integration.pos_support import KARI, wallet_answer

pytestmark = pytest.mark.slow
SLOW_POLLS = {"KASSE_POS_FIRST_POLL": "600", "KASSE_POS_POLL_INTERVAL": "600"}  # only a webhook can settle in time


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(tmp_path_factory.mktemp("pos-shop") / "kasse.db", env=SLOW_POLLS).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture
def till(shop: ServerProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=shop.url, timeout=15.0, trust_env=False) as client:
        with_csrf(client)  # first use starts the POS: it registers its webhook
        wait_for(lambda: "registered webhook" in shop.log.read_text())
        yield client


def wait_for(check: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if found := check():
            return found
        time.sleep(0.02)
    raise AssertionError("timed out")


def sale_of(till: httpx.Client) -> dict[str, Any]:
    sale: dict[str, Any] = till.get("/pos/api/terminals/till-1").json()["sale"]
    return sale


def start_sale(till: httpx.Client) -> str:
    till.post("/pos/api/terminals/till-1/done")
    assert till.post("/pos/api/terminals/till-1/cart", json={"productId": "latte", "delta": 1}).status_code == 200
    paid = till.post("/pos/api/terminals/till-1/pay", json={"method": "phone", "value": KARI})
    assert paid.status_code == 200, paid.text
    reference: str = paid.json()["sale"]["reference"]
    return reference


def test_the_signed_authorized_webhook_settles_the_sale_long_before_any_poll(shop: ServerProcess,
                                                                             till: httpx.Client) -> None:
    reference = start_sale(till)

    wallet_answer(shop.url, reference)
    sale = wait_for(lambda: (s := sale_of(till))["settled"] and s)

    assert (sale["reference"], sale["status"], sale["capturedMinor"]) == (reference, "paid", 5200)


def test_a_webhook_with_a_bad_signature_is_rejected_logged_and_changes_nothing(shop: ServerProcess,
                                                                              till: httpx.Client) -> None:
    reference = start_sale(till)
    body = orjson.dumps({"msn": "123456", "reference": reference, "pspReference": "forged", "name": "AUTHORIZED",
                         "amount": {"currency": "NOK", "value": 5200}, "timestamp": "2026-01-01T00:00:00Z",
                         "success": True})
    forged = webhook_signature.sign("not-the-secret", f"{shop.url}/pos/webhooks", body, datetime.now(UTC))

    answer = till.post("/pos/webhooks", content=body, headers=forged.as_dict())
    unsigned = till.post("/pos/webhooks", content=body)

    assert (answer.status_code, unsigned.status_code) == (401, 401)
    assert "webhook rejected: " in shop.log.read_text()
    assert sale_of(till)["status"] == "pending"
    till.post("/pos/api/terminals/till-1/cancel")



def test_the_catalogue_page_edits_a_price_the_till_then_charges(till: httpx.Client) -> None:
    page = till.get("/pos/catalogue")
    saved = till.post("/pos/catalogue", data={"id": "tea", "name": "Green tea", "price": "36,50", "vat_rate": "1500"})
    added = till.post("/pos/catalogue", data={"name": "Lemon tart", "price": "45", "vat_rate": "1500"})
    refused = till.post("/pos/catalogue", data={"name": "Free lunch", "price": "nothing"})

    assert page.status_code == 200 and "<form" in page.text
    assert (saved.status_code, added.status_code) == (303, 303)
    assert "error=" in refused.headers["location"]
    state = till.post("/pos/api/terminals/till-9/cart", json={"productId": "tea", "delta": 2}).json()
    assert state["cart"]["total"] == "73,00 kr"
    assert till.post("/pos/api/terminals/till-9/cart", json={"productId": "lemon-tart"}).status_code == 200
