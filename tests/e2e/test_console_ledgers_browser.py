"""The console's Ledgers page in a real browser: after a capture and a day, the ledger shows its entries and payout."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.e2e.conftest import shoot
from tests.harness import DEMO_CREDENTIALS, ApiSession, ServerProcess, authorized

pytestmark = pytest.mark.slow


@pytest.fixture
def pos(server: ServerProcess) -> Any:
    with httpx.Client(base_url=server.url, timeout=15.0, trust_env=False) as client:
        yield ApiSession(client, DEMO_CREDENTIALS)


def test_advancing_a_day_closes_the_date_and_its_entries_show(phone: Any, server: ServerProcess,
                                                              pos: ApiSession) -> None:
    ref = authorized(pos, 25000)
    assert pos.modify(ref, "capture", 25000).status_code == 200
    phone.goto(f"{server.url}/console/ledgers")

    phone.click("#advance-day")

    phone.wait_for_selector(".notice >> text=paid out")
    phone.click("#ledgers a >> nth=0")
    phone.wait_for_selector("#payouts")
    for entry_type in ("capture", "capture-fee", "fees-retained", "payout-scheduled"):
        assert phone.locator(f"tr[data-type='{entry_type}']").count() >= 1
    capture = phone.locator("tr[data-type='capture']").inner_text()
    assert ref in capture and "250,00 kr" in capture
    shoot(phone, "console-ledger-entries")
