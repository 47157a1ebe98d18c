"""The till's HTTP surface: cashier page, customer display, a small JSON API, the live stream, webhooks.

Routes translate and delegate to `PosService`; money is formatted here, in Python, never in the browser.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from kasse import live_streams
from kasse.pos.cart import change_quantity
from kasse.pos.payment_request import CheckoutError
from kasse.pos.service import PosService
from kasse.pos.views import pos, render, terminal_state
from kasse.pos.webhooks import receive

router = APIRouter(prefix="/pos", include_in_schema=False)
DEFAULT_TERMINAL = "till-1"


async def _json(request: Request) -> dict[str, Any]:
    try:
        data = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        return {}
    return data if isinstance(data, dict) else {}


def _refused(err: CheckoutError) -> JSONResponse:
    return JSONResponse({"message": err.message}, status_code=400)


def _busy(service: PosService, terminal: str) -> JSONResponse | None:
    """Refuse a change to the cart while its payment is pending: the customer is being asked for that total."""
    latest = service.store.latest_sale(terminal)
    if latest is None or latest.settled:
        return None
    return JSONResponse({"message": "A payment is in progress: cancel it before changing the cart.",
                         "state": terminal_state(service, terminal)}, status_code=409)


@router.get("")
async def cashier_default(request: Request) -> Response:
    return await cashier(DEFAULT_TERMINAL, request)


@router.get("/till/{terminal}")
async def cashier(terminal: str, request: Request) -> Response:
    service = pos(request)
    return render(request, "cashier.html", terminal=terminal, products=service.store.products(),
                  state=terminal_state(service, terminal))


@router.get("/display/{terminal}")
async def display(terminal: str, request: Request) -> Response:
    return render(request, "display.html", terminal=terminal, state=terminal_state(pos(request), terminal))


@router.get("/api/terminals/{terminal}")
async def state(terminal: str, request: Request) -> Response:
    return JSONResponse(terminal_state(pos(request), terminal))


@router.post("/api/terminals/{terminal}/cart")
async def change_cart(terminal: str, request: Request) -> Response:
    service, body = pos(request), await _json(request)
    if (refused := _busy(service, terminal)) is not None:
        return refused
    product, delta = str(body.get("productId", "")), body.get("delta", 1)
    if not isinstance(delta, int) or product not in {p.id for p in service.store.products()}:
        return JSONResponse({"message": "Unknown product."}, status_code=400)
    service.store.save_cart(terminal, change_quantity(service.store.cart(terminal), product, delta))
    service.store.set_setting(f"dismissed:{terminal}", str(getattr(service.store.latest_sale(terminal),
                                                                   "reference", "")))
    service.notifier.changed()
    return JSONResponse(terminal_state(service, terminal))


@router.post("/api/terminals/{terminal}/clear")
async def clear_cart(terminal: str, request: Request) -> Response:
    service = pos(request)
    if (refused := _busy(service, terminal)) is not None:
        return refused
    service.store.save_cart(terminal, {})
    service.notifier.changed()
    return JSONResponse(terminal_state(service, terminal))


@router.post("/api/terminals/{terminal}/pay")
async def pay(terminal: str, request: Request) -> Response:
    service, body = pos(request), await _json(request)
    try:
        await service.checkout(terminal, str(body.get("method", "")), str(body.get("value", "")))
    except CheckoutError as err:
        return _refused(err)
    return JSONResponse(terminal_state(service, terminal))


@router.post("/api/terminals/{terminal}/cancel")
async def cancel(terminal: str, request: Request) -> Response:
    service = pos(request)
    sale = service.store.latest_sale(terminal)
    if sale is not None:
        await service.cancel(sale.reference)
    return JSONResponse(terminal_state(service, terminal))


@router.post("/api/terminals/{terminal}/done")
async def done(terminal: str, request: Request) -> Response:
    service = pos(request)
    sale = service.store.latest_sale(terminal)
    if sale is not None and sale.settled:
        service.store.set_setting(f"dismissed:{terminal}", sale.reference)
        service.notifier.changed()
    return JSONResponse(terminal_state(service, terminal))


@router.get("/api/terminals/{terminal}/events")
async def events(terminal: str, request: Request) -> Response:
    service = pos(request)
    last: dict[str, Any] | None = None

    async def read() -> AsyncIterator[str]:
        nonlocal last
        now = terminal_state(service, terminal)
        if now != last:
            last = now
            yield f"event: state\ndata: {orjson.dumps(now).decode()}\n\n"

    return live_streams.respond(request, service.notifier.subscribe, service.notifier.unsubscribe, read)


@router.post("/webhooks")
async def webhooks(request: Request) -> Response:
    from kasse.pos.vending import on_check_in

    service = pos(request)
    status = await receive(service, request.headers, await request.body(),
                           lambda event: on_check_in(service, event))
    return Response(status_code=status)

