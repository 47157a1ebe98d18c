"""The POS inside `kasse serve` settles, at start-up, the sales left pending when the server went down."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.harness import ServerProcess, free_port, with_csrf
from tests.integration.pos_support import KARI, wallet_answer

pytestmark = pytest.mark.slow


def test_a_sale_approved_while_its_webhook_was_lost_is_paid_when_the_server_comes_back(tmp_path: Path) -> None:
    env = {"KASSE_POS_FIRST_POLL": "600", "KASSE_POS_POLL_INTERVAL": "600",  # no poll would come in time
           "KASSE_POS_PUBLIC_URL": f"http://127.0.0.1:{free_port()}"}  # and every webhook is lost
    first = ServerProcess(tmp_path / "kasse.db", env=env).start()
    try:
        with httpx.Client(base_url=first.url, trust_env=False) as till:
            with_csrf(till)
            till.post("/pos/api/terminals/till-1/cart", json={"productId": "espresso"})
            reference = till.post("/pos/api/terminals/till-1/pay", json={"method": "phone", "value": KARI}
                                  ).json()["sale"]["reference"]
        wallet_answer(first.url, reference)
    finally:
        first.kill()
    second = ServerProcess(tmp_path / "kasse.db", port=first.port, env=env).start()
    try:
        deadline = time.monotonic() + 15
        while "POS recovering 1 pending sale(s)" not in second.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)
        with httpx.Client(base_url=second.url, trust_env=False) as till:
            while (sale := till.get("/pos/api/terminals/till-1").json()["sale"])["status"] == "pending" \
                    and time.monotonic() < deadline:
                time.sleep(0.05)

        assert "POS recovering 1 pending sale(s)" in second.log.read_text()
        assert (sale["reference"], sale["status"], sale["capturedMinor"]) == (reference, "paid", 3900)
    finally:
        second.stop()
