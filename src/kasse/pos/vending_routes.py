"""Pages of the unmanned points: a vending machine with its printable QR, and a trust shop's own pages."""

from __future__ import annotations

import contextlib

import orjson
from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from kasse.pos import vending
from kasse.pos.views import pos, render, terminal_state

router = APIRouter(prefix="/pos", include_in_schema=False)


@router.get("/vending/{machine}")
async def machine_page(machine: str, request: Request) -> Response:
    service = pos(request)
    qr = await vending.callback_qr(service, machine)
    terminal = vending.terminal_of(machine)
    return render(request, "vending.html", machine=machine, terminal=terminal, qr=qr, items=vending.VENDING_ITEMS,
                  state=terminal_state(service, terminal), shop=service.config.shop_name)


@router.post("/vending/{machine}/choose")
async def choose(machine: str, request: Request) -> Response:
    form = await request.form()
    with contextlib.suppress(vending.ChoiceRefusedError):  # the page shows why: its items are locked
        await vending.choose(pos(request), machine, str(form.get("item") or ""))
    return RedirectResponse(f"/pos/vending/{machine}", status_code=303)


@router.get("/shop/{shop}/qr")
async def shop_qr(shop: str, request: Request) -> Response:
    service = pos(request)
    image = await vending.redirect_qr_url(service, shop)
    return render(request, "shop_qr.html", shop_id=shop, image=image, shop=service.config.shop_name)


@router.get("/shop/{shop}")
async def shop_page(shop: str, request: Request) -> Response:
    service = pos(request)
    return render(request, "shop.html", shop_id=shop, items=vending.VENDING_ITEMS, shop=service.config.shop_name)


@router.post("/shop/{shop}/buy")
async def buy(shop: str, request: Request) -> Response:
    form = await request.form()
    target = await vending.buy_in_shop(pos(request), shop, str(form.get("item") or ""))
    return RedirectResponse(target or f"/pos/shop/{shop}", status_code=303)


@router.get("/shop/{shop}/receipt/{reference}")
async def shop_receipt(shop: str, reference: str, request: Request) -> Response:
    service = pos(request)
    sale = service.store.sale(reference)
    if sale is not None and not sale.settled:
        sale = await service.settle(reference) or sale  # the customer is back: look now, do not wait for a poll
    return render(request, "shop_receipt.html", shop_id=shop, sale=sale, shop=service.config.shop_name)


@router.get("/api/vending/{machine}/qr")
async def machine_qr(machine: str, request: Request) -> Response:
    qr = await vending.callback_qr(pos(request), machine)
    return JSONResponse({"merchantQrId": qr.merchant_qr_id, "qrContent": qr.qr_content, "imageUrl": qr.qr_image_url})


@router.post("/api/vending/{machine}/choose")
async def choose_json(machine: str, request: Request) -> Response:
    service = pos(request)
    try:
        body = orjson.loads(await request.body() or b"{}")
    except orjson.JSONDecodeError:
        return JSONResponse({"message": "The body is not JSON: send {\"item\": \"cola\"}."}, status_code=400)
    try:
        await vending.choose(service, machine, str(body.get("item", "")) if isinstance(body, dict) else "")
    except vending.ChoiceRefusedError as refused:
        return JSONResponse({"message": str(refused)}, status_code=409)
    return JSONResponse(terminal_state(service, vending.terminal_of(machine)))
