"""QR API v1 (contract §6, Q2–Q10, Q12–Q13), the unauthenticated QR images, and what static QRs encode.

Redirect QRs pick their image link from `Accept` (`image/*`, `image/svg+xml`, `image/png`,
`text/targetUrl`) and `Size`; callback QRs from `QrImageFormat` and `QrImageSize`. A static QR encodes a
kasse URL: `/q/r/<msn>/<id>` forwards any browser to the merchant's page, `/q/c/<msn>/<merchantQrId>`
opens the wallet, which checks the user in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from kasse.api.auth import authorize
from kasse.api.body import read_body
from kasse.api.context import container
from kasse.api.invalid_params import EXCHANGE_DETAIL, Naming, ParamsProblemError, from_error, parse_params
from kasse.api.responses import json_response
from kasse.api.schemas.qr import (
    CallbackIn,
    CustomerExchangeIn,
    ExchangeIn,
    RedirectIn,
    RedirectUpdateIn,
)
from kasse.container import Container
from kasse.domain.static_qr import (
    MerchantCallbackQr,
    MerchantRedirectQr,
    QrError,
    callback_content,
    redirect_content,
)
from kasse.services import qr_codes as use
from kasse.services.ports import UnitOfWork

router = APIRouter(tags=["QR"])
T = TypeVar("T")

DEFAULT_SIZE = 800  # contract §6: images are 800 × 800 unless Size says otherwise
_ACCEPT = {"image/*": "svg", "image/svg+xml": "svg", "*/*": "svg", "image/png": "png", "text/targeturl": "target"}


async def _write(c: Container, fn: Callable[[UnitOfWork], T], extra: dict[str, object] | None = None) -> T:
    try:
        return await c.db.write(fn)
    except QrError as err:
        raise from_error(err, extra=extra) from None


def _read(c: Container, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return c.db.read(fn)
    except QrError as err:
        raise from_error(err) from None


def _image_format(request: Request) -> tuple[str, int]:
    accept = request.headers.get("accept", "image/svg+xml").split(",")[0].split(";")[0].strip().lower()
    fmt = _ACCEPT.get(accept)
    if fmt is None:
        raise ParamsProblemError(400, "Unsupported Accept header",
                            [("Accept", "Supported values: image/*, image/png, image/svg+xml, text/targetUrl")])
    return fmt, _size(request.headers.get("size"), "Size")


def _size(raw: str | None, name: str) -> int:
    if raw is None:
        return DEFAULT_SIZE
    if not raw.isdigit() or not 100 <= int(raw) <= 2000:
        raise ParamsProblemError(400, f"{name} must be between 100 and 2000", [(name, "must be between 100 and 2000")])
    return int(raw)


def _image_url(base: str, kind: str, msn: str, qr_id: str, fmt: str, size: int) -> str:
    path = f"{base}/qr-image/v1/{kind}/{msn}/{quote(qr_id, safe='')}"
    return f"{path}.png?size={size}" if fmt == "png" else f"{path}.svg"


def _redirect_wire(c: Container, qr: MerchantRedirectQr, fmt: str, size: int) -> dict[str, object]:
    base = c.settings.base_url
    url = redirect_content(base, qr.msn, qr.qr_id) if fmt == "target" else _image_url(
        base, "r", qr.msn, qr.qr_id, fmt, size)
    return {"id": qr.qr_id, "url": url, "redirectUrl": qr.redirect_url, "expiresIn": qr.expires_in(c.clock.now())}


def _callback_wire(c: Container, qr: MerchantCallbackQr, fmt: str, size: int) -> dict[str, object]:
    base = c.settings.base_url
    return {
        "merchantSerialNumber": qr.msn,
        "merchantQrId": qr.merchant_qr_id,
        "locationDescription": qr.location_description,
        "qrImageUrl": _image_url(base, "c", qr.msn, qr.merchant_qr_id, fmt, size),
        "qrContent": callback_content(base, qr.msn, qr.merchant_qr_id),
    }


@router.post("/qr/v1/merchant-redirect")
async def create_redirect(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    fmt, size = _image_format(request)
    body = parse_params(RedirectIn, await read_body(request))
    if body.id is None or body.redirectUrl is None:
        fields = (("Id", body.id), ("RedirectUrl", body.redirectUrl))
        missing = [(name, f"The {name} field is required.") for name, value in fields if value is None]
        raise ParamsProblemError(400, "BadRequest", missing)
    qr_id, url = body.id, body.redirectUrl
    # contract §6: a conflicting create answers 409 with the id
    qr = await _write(c, lambda uow: use.create_redirect(uow, c.clock, msn, qr_id, url, body.ttl), {"id": qr_id})
    return json_response(_redirect_wire(c, qr, fmt, size))


@router.get("/qr/v1/merchant-redirect")
async def list_redirects(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    fmt, size = _image_format(request)
    found = c.db.read(lambda uow: use.list_redirects(uow, c.clock, msn))
    return json_response([_redirect_wire(c, qr, fmt, size) for qr in found])


@router.get("/qr/v1/merchant-redirect/{qr_id}")
async def get_redirect(qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    fmt, size = _image_format(request)
    qr = _read(c, lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    return json_response(_redirect_wire(c, qr, fmt, size))


@router.put("/qr/v1/merchant-redirect/{qr_id}")
async def update_redirect(qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    fmt, size = _image_format(request)
    body = parse_params(RedirectUpdateIn, await read_body(request))
    qr = await _write(c, lambda uow: use.update_redirect(uow, c.clock, msn, qr_id, body.redirectUrl))
    return json_response(_redirect_wire(c, qr, fmt, size))


@router.delete("/qr/v1/merchant-redirect/{qr_id}", response_class=Response)
async def delete_redirect(qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    await _write(c, lambda uow: use.delete_redirect(uow, c.clock, msn, qr_id))
    return Response(status_code=200)


def _callback_format(request: Request) -> tuple[str, int]:
    fmt = request.query_params.get("QrImageFormat", "SVG").upper()
    if fmt not in ("SVG", "PNG"):
        reason = [("QrImageFormat", "Supported values: PNG, SVG")]
        raise ParamsProblemError(400, "QrImageFormat must be PNG or SVG", reason)
    return fmt.lower(), _size(request.query_params.get("QrImageSize"), "QrImageSize")


@router.put("/qr/v1/merchant-callback/{merchant_qr_id}", response_class=Response)
async def put_callback(merchant_qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    body = parse_params(CallbackIn, await read_body(request))
    location = body.locationDescription
    await _write(c, lambda uow: use.put_callback(uow, c.clock, msn, merchant_qr_id, location))
    return Response(status_code=200)


@router.get("/qr/v1/merchant-callback")
async def list_callbacks(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    fmt, size = _callback_format(request)
    found = c.db.read(lambda uow: uow.static_qrs.list_callbacks(msn))
    return json_response([_callback_wire(c, qr, fmt, size) for qr in found])


@router.get("/qr/v1/merchant-callback/{merchant_qr_id}")
async def get_callback(merchant_qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    fmt, size = _callback_format(request)
    qr = _read(c, lambda uow: use.get_callback(uow, msn, merchant_qr_id))
    return json_response(_callback_wire(c, qr, fmt, size))


@router.delete("/qr/v1/merchant-callback/{merchant_qr_id}", response_class=Response)
async def delete_callback(merchant_qr_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    await _write(c, lambda uow: use.delete_callback(uow, msn, merchant_qr_id))
    return Response(status_code=200)


def _exchange_problem(err: QrError) -> ParamsProblemError:
    return ParamsProblemError(400, EXCHANGE_DETAIL, err.invalid_params, extra_details=True)


@router.post("/qr/v1/exchange")
async def exchange(request: Request) -> Response:
    c = container(request)
    authorize(request, c.tokens, c.clock, msn_required=False)
    body = parse_params(ExchangeIn, await read_body(request), Naming.CAMEL, extra_details=True)
    try:
        found = c.db.read(lambda uow: use.exchange(uow, body.qrCode))
    except QrError as err:
        raise _exchange_problem(err) from None
    out: dict[str, object] = {"msisdn": found.msisdn}
    if found.timestamp is not None:
        out["timestamp"] = found.timestamp
    out["version"] = found.version.value if found.version else "2.0"
    return json_response(out)


@router.post("/qr/v1/exchange/customer")
async def exchange_customer(request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock, msn_required=False)
    body = parse_params(CustomerExchangeIn, await read_body(request), Naming.CAMEL, extra_details=True)
    token = body.customer.customerToken if body.customer else None
    try:
        found = c.db.read(lambda uow: use.exchange_customer(uow, c.clock, msn, token))
    except QrError as err:
        raise _exchange_problem(err) from None
    return json_response({"msisdn": found.msisdn, "timestamp": found.timestamp})


def _split_image(name: str) -> tuple[str, str]:
    stem, _, ext = name.rpartition(".")
    if ext not in ("svg", "png") or not stem:
        raise ParamsProblemError(404, "Unknown image")
    return stem, ext


def _image(c: Container, content: str, ext: str, size: int) -> Response:
    headers = {"cache-control": "no-store"}
    if ext == "svg":
        return Response(c.qr.svg(content), media_type="image/svg+xml", headers=headers)
    return Response(c.qr.png(content, size), media_type="image/png", headers=headers)


@router.get("/qr-image/v1/r/{msn}/{name}", include_in_schema=False)
async def redirect_image(msn: str, name: str, request: Request) -> Response:
    c = container(request)
    qr_id, ext = _split_image(name)
    qr = _read(c, lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    size = _size(request.query_params.get("size"), "size")
    return _image(c, redirect_content(c.settings.base_url, msn, qr.qr_id), ext, size)


@router.get("/qr-image/v1/c/{msn}/{name}", include_in_schema=False)
async def callback_image(msn: str, name: str, request: Request) -> Response:
    c = container(request)
    qr_id, ext = _split_image(name)
    qr = _read(c, lambda uow: use.get_callback(uow, msn, qr_id))
    size = _size(request.query_params.get("size"), "size")
    return _image(c, callback_content(c.settings.base_url, msn, qr.merchant_qr_id), ext, size)


_GONE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>QR code not valid</title>
<link rel="stylesheet" href="/wallet/static/wallet.css"></head><body class="plain"><main class="sheet">
<h1>This QR code is no longer valid</h1><p>The merchant has removed it, or it has expired.</p></main></body></html>"""


@router.get("/q/r/{msn}/{qr_id}", include_in_schema=False)
async def follow_redirect(msn: str, qr_id: str, request: Request) -> Response:
    c = container(request)
    try:
        qr = c.db.read(lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    except QrError:
        return HTMLResponse(_GONE, status_code=404)
    return RedirectResponse(qr.redirect_url, status_code=302)


@router.get("/q/c/{msn}/{merchant_qr_id}", include_in_schema=False)
async def open_callback(msn: str, merchant_qr_id: str, request: Request) -> Response:
    # a phone camera opens this URL; the wallet is the app that handles it
    c = container(request)
    content = callback_content(c.settings.base_url, msn, merchant_qr_id)
    return RedirectResponse(f"/wallet/open?content={quote(content, safe='')}", status_code=303)
