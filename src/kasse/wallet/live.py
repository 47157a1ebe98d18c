"""Live updates of the wallet's pages, woken by the container's commit signal.

After a commit the event stream re-reads the user's wallet signature and sends an event only when it
changed, so pages reload exactly when something they show changed.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request
from starlette.responses import StreamingResponse

from kasse import wakeups
from kasse.container import Container
from kasse.services.topics import PAYMENTS, WALLET

STREAM_SECONDS = 25.0  # then the browser reconnects (EventSource does it by itself)
HEARTBEAT = 2.0  # also how soon a page sees a payment change made through another process (not signalled)


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
                await wakeups.woken(woken, timeout=min(remaining, HEARTBEAT))
                yield ": keep-alive\n\n"  # lets a proxy (and the server) notice a closed connection
        finally:
            container.commits.unsubscribe(woken)

    return StreamingResponse(events(), media_type="text/event-stream",
                             headers={"cache-control": "no-store", "x-accel-buffering": "no"})
