"""QR API v1 (contract §6), shared by its route modules; and the QR images and links, which need no token.

Redirect and one-time QRs pick their image link from `Accept` (`image/*`, `image/svg+xml`, `image/png`,
`text/targetUrl`; `*/*` takes the default SVG) and `Size`; callback QRs from `QrImageFormat` and
`QrImageSize`. A static QR encodes a kasse URL: `/q/r/<msn>/<id>` forwards any browser to the
merchant's page, `/q/c/<msn>/<merchantQrId>` opens the wallet, which checks the user in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from kasse.api.invalid_params import ParamsProblemError, from_error
from kasse.api.operations import Api, Header, Shape, system_headers
from kasse.container import Container
from kasse.domain.static_qr import QrError, callback_content, redirect_content
from kasse.services import qr_codes as use
from kasse.services.ports import UnitOfWork

T = TypeVar("T")

QR = Api("QR", "One-time, merchant-redirect and merchant-callback QR codes, and exchanging a scanned personal QR "
               "or check-in for a phone number.", Shape.PARAMS)
SYSTEM = system_headers(30)
DEFAULT_SIZE = 800  # contract §6: images are 800 × 800 unless Size says otherwise
_FORMATS = {"image/*": "svg", "image/svg+xml": "svg", "*/*": "svg", "image/png": "png", "text/targeturl": "target"}
ACCEPT = Header("Accept", "The image format of `url`: image/* or image/svg+xml (SVG), image/png (PNG), or "
                "text/targetUrl for what the QR encodes. */* takes the SVG.", required=True, media_range=True,
                values=("image/*", "image/png", "image/svg+xml", "text/targetUrl", "*/*"), example="image/png")
SIZE = Header("Size", "Width and height of a PNG in pixels (default 800).", integer=(100, 2000), example="400")


def container(request: Request) -> Container:
    found: Container = request.app.state.container
    return found


async def write(c: Container, fn: Callable[[UnitOfWork], T], extra: dict[str, object] | None = None) -> T:
    try:
        return await c.db.write(fn)
    except QrError as err:
        raise from_error(err, extra=extra) from None


def read(c: Container, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return c.db.read(fn)
    except QrError as err:
        raise from_error(err) from None


def image_format(request: Request) -> tuple[str, int]:
    """Return the image format and size asked for (the operation's header rules have checked both)."""
    accept = request.headers.get("accept", "image/svg+xml").split(",")[0].split(";")[0].strip().lower()
    size = request.headers.get("size")
    return _FORMATS[accept], int(size) if size else DEFAULT_SIZE


def checked_size(raw: str | None, name: str) -> int:
    if raw is None:
        return DEFAULT_SIZE
    if not (raw.isascii() and raw.isdigit()) or not 100 <= int(raw) <= 2000:
        raise ParamsProblemError(400, f"{name} must be between 100 and 2000", [(name, "must be between 100 and 2000")])
    return int(raw)


def image_url(base: str, kind: str, msn: str, qr_id: str, fmt: str, size: int) -> str:
    path = f"{base}/qr-image/v1/{kind}/{msn}/{quote(qr_id, safe='')}"
    return f"{path}.png?size={size}" if fmt == "png" else f"{path}.svg"


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


async def redirect_image(request: Request) -> Response:
    c, msn = container(request), request.path_params["msn"]
    qr_id, ext = _split_image(request.path_params["name"])
    qr = read(c, lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    size = checked_size(request.query_params.get("size"), "size")
    return _image(c, redirect_content(c.settings.base_url, msn, qr.qr_id), ext, size)


async def callback_image(request: Request) -> Response:
    c, msn = container(request), request.path_params["msn"]
    qr_id, ext = _split_image(request.path_params["name"])
    qr = read(c, lambda uow: use.get_callback(uow, msn, qr_id))
    size = checked_size(request.query_params.get("size"), "size")
    return _image(c, callback_content(c.settings.base_url, msn, qr.merchant_qr_id), ext, size)


_GONE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>QR code not valid</title>
<link rel="stylesheet" href="/wallet/static/wallet.css"></head><body class="plain"><main class="sheet">
<h1>This QR code is no longer valid</h1><p>The merchant has removed it, or it has expired.</p></main></body></html>"""


async def follow_redirect(request: Request) -> Response:
    c, msn, qr_id = container(request), request.path_params["msn"], request.path_params["qr_id"]
    try:
        qr = c.db.read(lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    except QrError:
        return HTMLResponse(_GONE, status_code=404)
    return RedirectResponse(qr.redirect_url, status_code=302)


async def open_callback(request: Request) -> Response:
    # a phone camera opens this URL; the wallet is the app that handles it
    c = container(request)
    content = callback_content(c.settings.base_url, request.path_params["msn"], request.path_params["merchant_qr_id"])
    return RedirectResponse(f"/wallet/open?content={quote(content, safe='')}", status_code=303)


ROUTES = [
    Route("/qr-image/v1/r/{msn}/{name}", redirect_image, methods=["GET"]),
    Route("/qr-image/v1/c/{msn}/{name}", callback_image, methods=["GET"]),
    Route("/q/r/{msn}/{qr_id}", follow_redirect, methods=["GET"]),
    Route("/q/c/{msn}/{merchant_qr_id}", open_callback, methods=["GET"]),
]
