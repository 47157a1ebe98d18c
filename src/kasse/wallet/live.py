"""Live updates of the wallet's pages, woken by the container's commit signal.

After a commit the stream re-reads the user's wallet signature and sends an event only when it
changed, so pages reload exactly when something they show changed. A page waiting at a check-in, or
showing the personal QR to a cashier, is also told which payment request to open once it arrives.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from starlette.requests import Request
from starlette.responses import StreamingResponse

from kasse import live_streams
from kasse.container import Container
from kasse.services import wallet
from kasse.services.ports import UnitOfWork
from kasse.services.topics import PAYMENTS, WALLET


def _event(data: dict[str, object]) -> str:
    return f"event: wallet\ndata: {orjson.dumps(data).decode()}\n\n"


def pending_path(uow: UnitOfWork, msisdn: str) -> str:
    """Return the page of the user's newest request still waiting for an answer ("" when none waits)."""
    found = wallet.newest_pending(uow, msisdn)
    return "" if found is None else f"/wallet/pay/{found.msn}/{found.reference}"


def stream(request: Request, container: Container, msisdn: str, *, check_in: str | None = None,
           shown_pending: str | None = None, seconds: float = live_streams.LIFETIME) -> StreamingResponse:
    """Follow the user's wallet; `shown_pending` (the My QR page) opens a request newer than the one it names."""
    last: dict[str, object] | None = None

    async def snapshot() -> dict[str, object]:
        data: dict[str, object] = {"sig": await container.db.query(lambda uow: uow.wallet.signature(msisdn))}
        if check_in:
            found = await container.db.query(lambda uow: uow.wallet.request_for_check_in(check_in))
            if found is not None and found.msisdn == msisdn:
                data["open"] = f"/wallet/pay/{found.msn}/{found.reference}"
        if shown_pending is not None:
            path = await container.db.query(lambda uow: pending_path(uow, msisdn))
            if path and path != shown_pending:
                data["open"] = path
        return data

    async def read() -> AsyncIterator[str]:
        nonlocal last
        now = await snapshot()
        if now != last:
            last = now
            yield _event(now)

    return live_streams.respond(request, lambda: container.commits.subscribe(WALLET, PAYMENTS),
                                container.commits.unsubscribe, read,
                                lifetime=min(seconds, live_streams.LIFETIME))
