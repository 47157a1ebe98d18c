"""A client that goes away mid-body or mid-response is a normal event: at most one short line, no traceback,
and the others are served meanwhile (issue #12 item 4; the big numbers are in bench/hangups.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable

import pytest

from tests.harness import InProcessKasse, create_body, new_reference, shared_kasse
from tests.integration.security.asgi import call

shared = shared_kasse("hangups", rate_limits=False)

FLOOD = 100  # of each kind; bench/hangups.py sends 2,000 and 4,000
AT_ONCE = 50  # clients in flight together, so the test's own event loop does not lag behind on a busy machine
MID_BODY = [
    ("POST", "/pos/webhooks", "application/json"),
    ("POST", "/pos/api/terminals/till-1/cart", "application/json"),
    ("POST", "/pos/catalogue", "application/x-www-form-urlencoded"),
    ("POST", "/wallet/login", "application/x-www-form-urlencoded"),
    ("POST", "/_kasse/clock/advance", "application/json"),
    ("POST", "/epayment/v1/payments", "application/json"),
]
MID_RESPONSE = ["/pos", "/wallet/login", "/openapi.json", "/epayment/v1/payments/{reference}"]


async def _flood(k: InProcessKasse, reference: str) -> list[float]:
    """Hang up FLOOD times on every route above while a normal client reads a payment; return its latencies."""
    merchant = k.demo.headers(idempotency_key=new_reference("key"))
    app = k.client.app
    hangups = [call(app, method, path, {**merchant, "Content-Type": kind, "Content-Length": "4000"},
                    [b'{"pad": "' + b"x" * 1000], hang_up=True)
               for method, path, kind in MID_BODY for _ in range(FLOOD)]
    hangups += [call(app, "GET", path.format(reference=reference), merchant, send_fails=True)
                for path in MID_RESPONSE for _ in range(FLOOD)]
    latencies: list[float] = []

    async def normal_client() -> None:
        while len(latencies) < 20:
            started = time.perf_counter()
            done = await call(app, "GET", f"/epayment/v1/payments/{reference}", merchant)
            assert done.status == 200
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0)

    gate = asyncio.Semaphore(AT_ONCE)

    async def one(hangup: Awaitable[object]) -> None:
        async with gate:
            await hangup

    await asyncio.gather(normal_client(), *(one(h) for h in hangups))
    return latencies


def test_a_hang_up_flood_logs_no_traceback_and_stalls_no_one(shared: InProcessKasse,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    reference = new_reference()
    assert shared.demo.create(create_body(reference)).status_code == 201
    caplog.set_level(logging.DEBUG)

    latencies = asyncio.run(_flood(shared, reference))

    assert [r for r in caplog.records if r.exc_info or "Traceback" in r.getMessage()] == []
    # the POS's own loop (kasse.pos) reports that it cannot reach a platform on :8000: not a hang-up
    records = [r for r in caplog.records if r.name.startswith("kasse") and r.name != "kasse.pos"]
    assert len(records) <= FLOOD * (len(MID_BODY) + len(MID_RESPONSE))
    assert max(len(r.getMessage()) for r in records) < 200
    assert max(latencies) < 2.0  # generous: without the fix each hang-up wrote two tracebacks first
