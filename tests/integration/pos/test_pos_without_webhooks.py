"""The embedded POS strands no sale when its webhook registration fails (issue #12 item 8): it polls from the start,
retries the registration with capped exponential backoff and says why once, not every half second.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from pathlib import Path

import httpx
import pytest

from kasse.pos.sale import SaleStatus
from kasse.workers.pos import MAX_RETRY, retry_delays, serve_pos
from tests.harness import InProcessKasse
from tests.integration.pos_support import KARI, config, running_pos, settled

# plain http to a host that is not loopback: refused by the platform in test mode as in production
REFUSED_URL = "http://pos.example.com/pos/webhooks"


async def _sell_while_registration_is_refused(kasse: InProcessKasse, database: Path) -> tuple[SaleStatus, int]:
    platform = httpx.ASGITransport(app=kasse.client.app)
    cfg = config("http://127.0.0.1:8000", database, webhook_url=REFUSED_URL)
    registrations = 0

    class Counting(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            nonlocal registrations
            registrations += request.method == "POST" and request.url.path == "/webhooks/v1/webhooks"
            return await platform.handle_async_request(request)

    async with running_pos(cfg, Counting(), poll=False) as pos, \
            httpx.AsyncClient(transport=platform, base_url="http://127.0.0.1:8000") as control:
        stop = asyncio.Event()
        serving = asyncio.create_task(serve_pos(pos, stop))
        pos.store.save_cart("till-1", {pos.store.products()[0].id: 1})
        sale = await pos.checkout("till-1", "phone", KARI)
        answered = await control.post(f"/_kasse/wallet/{KARI}/payments/{sale.reference}/approve", json={})
        assert answered.status_code == 200, answered.text
        paid = await settled(pos, sale.reference)
        stop.set()
        await serving
        assert not pos.store.setting("webhook_id")
    return paid.status, registrations


def test_an_approved_sale_is_captured_by_polling_while_registration_is_refused(
    kasse: InProcessKasse, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kasse.pos")

    status, registrations = asyncio.run(_sell_while_registration_is_refused(kasse, tmp_path / "pos.db"))

    assert status is SaleStatus.PAID
    assert registrations >= 1
    said = [r for r in caplog.records if "webhook registration" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING
    assert REFUSED_URL in said[0].getMessage()


def test_registration_retries_back_off_exponentially_to_a_cap() -> None:
    delays = retry_delays()

    assert delays[0] <= 1.0
    assert all(later == min(earlier * 2, MAX_RETRY) for earlier, later in itertools.pairwise(delays))
    assert delays[-1] == MAX_RETRY <= 600
