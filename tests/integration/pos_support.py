"""Helpers for the POS tests: a `PosService` in the test process, talking to a real `kasse serve` via the SDK."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import orjson

from kasse.pos.config import PosConfig
from kasse.pos.sale import Sale
from kasse.pos.service import PosService
from kasse.pos.store import SqlitePosStore
from kasse.sdk import AsyncClient
from tests.harness import DEMO_CREDENTIALS

KARI = "4712345678"
FAST = {"first_poll": 0.05, "poll_interval": 0.05}


def config(base_url: str, database: Path, **overrides: Any) -> PosConfig:
    options: dict[str, Any] = {
        "base_url": base_url, "client_id": DEMO_CREDENTIALS.client_id, "client_secret": DEMO_CREDENTIALS.client_secret,
        "subscription_key": DEMO_CREDENTIALS.subscription_key, "msn": DEMO_CREDENTIALS.msn,
        "database": str(database), "webhook_url": None, **FAST,
    }
    options.update(overrides)
    return PosConfig(**options)


@contextlib.asynccontextmanager
async def running_pos(cfg: PosConfig, transport: httpx.AsyncBaseTransport | None = None,
                      poll: bool = True) -> AsyncIterator[PosService]:
    """A PosService with its poll loop running (unless `poll` is False), closed afterwards."""
    client = AsyncClient(client_id=cfg.client_id, client_secret=cfg.client_secret,
                         subscription_key=cfg.subscription_key, merchant_serial_number=cfg.msn,
                         base_url=cfg.base_url, transport=transport)
    service = PosService(client, SqlitePosStore(cfg.database), cfg)
    stop = asyncio.Event()
    task = asyncio.create_task(service.poll(stop)) if poll else None
    try:
        yield service
    finally:
        stop.set()
        if task is not None:
            await task
        await client.aclose()
        service.store.close()


async def settled(service: PosService, reference: str, timeout: float = 10.0) -> Sale:
    """Wait (polling the POS database, with a deadline) until the sale is no longer pending."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sale = service.store.sale(reference)
        if sale is not None and sale.settled:
            return sale
        await asyncio.sleep(0.02)
    raise AssertionError(f"{reference} still pending: {service.store.sale(reference)}")


def wallet_answer(base_url: str, reference: str, action: str = "approve", msisdn: str = KARI) -> None:
    """The customer approves (or rejects) in the wallet, through the control API."""
    r = httpx.post(f"{base_url}/_kasse/wallet/{msisdn}/payments/{reference}/{action}", json={}, trust_env=False)
    assert r.status_code == 200, r.text


class ShortCaptureTransport(httpx.AsyncBaseTransport):
    """Real HTTP, except that capture responses claim `short` minor units less than were captured."""

    def __init__(self, short: int) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.short = short

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if not request.url.path.endswith("/capture") or response.status_code != 200:
            return response
        body = orjson.loads(await response.aread())
        body["aggregate"]["capturedAmount"]["value"] -= self.short
        return httpx.Response(200, headers={"content-type": "application/json"}, content=orjson.dumps(body))

    async def aclose(self) -> None:
        await self.inner.aclose()


def run(coroutine_factory: Callable[[], Any]) -> Any:
    return asyncio.run(coroutine_factory())
