"""Live updates and the behaviour loop, both woken by the container's commit signal.

After a commit the event stream re-reads the user's wallet signature and sends an event only when it
changed, so pages reload exactly when something they show changed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import orjson
from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.staticfiles import StaticFiles

from kasse.adapters.commit_signal import CLOCK, PAYMENTS, WALLET
from kasse.bootstrap import Container
from kasse.services import wallet

log = logging.getLogger("kasse.wallet")

STATIC = Path(__file__).resolve().parent / "static"
STREAM_SECONDS = 25.0  # then the browser reconnects (EventSource does it by itself)
HEARTBEAT = 2.0  # also how soon a page sees a payment change made through another process (not signalled)
BEHAVIOUR_POLL = 0.5  # seconds between looks for due behaviours when no commit wakes the loop


async def _woken(event: asyncio.Event, stop: asyncio.Event | None, timeout: float) -> None:
    waiters = [asyncio.ensure_future(event.wait())] + ([asyncio.ensure_future(stop.wait())] if stop else [])
    try:
        await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def run_behaviours(container: Container, stop: asyncio.Event) -> None:
    """Answer due requests by the users' behaviours whenever something commits or time passes."""
    clock, ids, db = container.clock, container.ids, container.db
    woken = container.commits.subscribe(WALLET, CLOCK)
    try:
        while not stop.is_set():
            woken.clear()
            try:
                # a read first, so the loop's own commits do not wake it into a busy loop
                if await db.query(lambda uow: uow.wallet.due_requests(clock.now(), 1)):
                    await db.write(lambda uow: wallet.apply_due_behaviours(uow, clock, ids))
            except Exception:
                log.exception("applying wallet behaviours failed; retrying")
            await _woken(woken, stop, BEHAVIOUR_POLL)
    finally:
        container.commits.unsubscribe(woken)


def _event(data: dict[str, object]) -> str:
    return f"event: wallet\ndata: {orjson.dumps(data).decode()}\n\n"


async def stream(request: Request, container: Container, msisdn: str, check_in: str | None,
                 seconds: float) -> StreamingResponse:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + max(0.0, min(seconds, STREAM_SECONDS))

    async def snapshot() -> dict[str, object]:
        data: dict[str, object] = {"sig": await container.db.query(lambda uow: uow.wallet.signature(msisdn))}
        if check_in:
            found = await container.db.query(lambda uow: uow.wallet.request_for_check_in(check_in))
            if found is not None and found.msisdn == msisdn:
                data["open"] = f"/wallet/pay/{found.msn}/{found.reference}"
        return data

    async def events() -> AsyncIterator[str]:
        woken = container.commits.subscribe(WALLET, PAYMENTS)
        try:
            yield "retry: 1000\n\n"
            last: dict[str, object] | None = None
            while True:
                woken.clear()
                now = await snapshot()
                if now != last:
                    yield _event(now)
                    last = now
                remaining = deadline - loop.time()
                if remaining <= 0 or await request.is_disconnected():
                    return
                await _woken(woken, None, min(remaining, HEARTBEAT))
                yield ": keep-alive\n\n"  # lets a proxy (and the server) notice a closed connection
        finally:
            container.commits.unsubscribe(woken)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def install(app: FastAPI) -> None:
    """Add the wallet's pages and static files to the application."""
    from kasse.wallet import landing, pages

    app.include_router(pages.router)
    app.include_router(landing.router)
    app.mount("/wallet/static", StaticFiles(directory=STATIC), name="wallet-static")
