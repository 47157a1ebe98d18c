"""QR API v1: one-time payment QRs (Q1) and merchant-redirect QRs (Q2–Q6) of contract §3 and §6."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.invalid_params import ParamsProblemError, parse_params
from kasse.api.operations import Access, Answer, Operation, routes
from kasse.api.payment_commands import payment_target_url
from kasse.api.responses import json_response
from kasse.api.schemas.qr import OneTimeQrIn, OneTimeQrOut, RedirectIn, RedirectOut, RedirectUpdateIn
from kasse.api.vipps.qr import ACCEPT, QR, SIZE, SYSTEM, container, image_format, image_url, read, write
from kasse.container import Container
from kasse.domain.static_qr import MerchantRedirectQr, redirect_content
from kasse.services import legacy_qr
from kasse.services import qr_codes as use


def _redirect_wire(c: Container, qr: MerchantRedirectQr, fmt: str, size: int) -> dict[str, object]:
    base = c.settings.base_url
    url = redirect_content(base, qr.msn, qr.qr_id) if fmt == "target" else image_url(
        base, "r", qr.msn, qr.qr_id, fmt, size)
    return {"id": qr.qr_id, "url": url, "redirectUrl": qr.redirect_url, "expiresIn": qr.expires_in(c.clock.now())}


def _token(url: str) -> str | None:
    """Return the payment token of one of kasse's landing-page or payment URLs."""
    parts = urlsplit(url)
    query = parse_qs(parts.query).get("token")
    if query:
        return query[0]
    head, _, last = parts.path.rpartition("/")
    return last if head.endswith("/p") and last else None


async def one_time_qr(request: Request) -> Response:
    c, msn = container(request), request.user.msn
    fmt, size = image_format(request)
    body = parse_params(OneTimeQrIn, await read_body(request))
    token = _token(body.url)
    payment = read(c, lambda uow: legacy_qr.payment_for_qr(uow, c.clock, msn, token))
    assert token is not None
    base = c.settings.base_url
    if fmt == "target":
        url = payment_target_url(base, token)
    else:
        url = f"{base}/qr-image/v1?token={token}" + (f"&format=png&size={size}" if fmt == "png" else "")
    expires_in = max(0, math.ceil((payment.expires_at - c.clock.now()).total_seconds()))
    return json_response({"url": url, "expiresIn": expires_in})


async def create_redirect(request: Request) -> Response:
    c, msn = container(request), request.user.msn
    fmt, size = image_format(request)
    body = parse_params(RedirectIn, await read_body(request))
    if body.id is None or body.redirectUrl is None:
        fields = (("Id", body.id), ("RedirectUrl", body.redirectUrl))
        missing = [(name, f"The {name} field is required.") for name, value in fields if value is None]
        raise ParamsProblemError(400, "BadRequest", missing)
    qr_id, url = body.id, body.redirectUrl
    # contract §6: a conflicting create answers 409 with the id
    qr = await write(c, lambda uow: use.create_redirect(uow, c.clock, msn, qr_id, url, body.ttl), {"id": qr_id})
    return json_response(_redirect_wire(c, qr, fmt, size))


async def list_redirects(request: Request) -> Response:
    c, msn = container(request), request.user.msn
    fmt, size = image_format(request)
    found = c.db.read(lambda uow: use.list_redirects(uow, c.clock, msn))
    return json_response([_redirect_wire(c, qr, fmt, size) for qr in found])


async def get_redirect(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["qr_id"]
    fmt, size = image_format(request)
    qr = read(c, lambda uow: use.get_redirect(uow, c.clock, msn, qr_id))
    return json_response(_redirect_wire(c, qr, fmt, size))


async def update_redirect(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["qr_id"]
    fmt, size = image_format(request)
    body = parse_params(RedirectUpdateIn, await read_body(request))
    qr = await write(c, lambda uow: use.update_redirect(uow, c.clock, msn, qr_id, body.redirectUrl))
    return json_response(_redirect_wire(c, qr, fmt, size))


async def delete_redirect(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["qr_id"]
    await write(c, lambda uow: use.delete_redirect(uow, c.clock, msn, qr_id))
    return Response(status_code=200)


REDIRECT = "/qr/v1/merchant-redirect"
ONE = REDIRECT + "/{qr_id}"
_ID = {"qr_id": {"type": "string", "example": "billboard_1"}}
_IMAGE = (ACCEPT, SIZE, *SYSTEM)
_OPTIONAL_MSN = Access.MERCHANT_MSN_OPTIONAL

OPERATIONS = (
    Operation("POST", "/qr/v1", one_time_qr, "generateOtpQr", QR, "Create a one-time payment QR",
              "A QR for a payment's landing page, to show on a customer-facing screen: send the redirectUrl of a "
              "WEB_REDIRECT create. Valid while the payment waits for the customer. (An ePayment create with "
              "`userFlow: QR` returns such a QR directly.)",
              Answer(200, "The QR", OneTimeQrOut), _OPTIONAL_MSN, _IMAGE, OneTimeQrIn),
    Operation("POST", REDIRECT, create_redirect, "createMerchantRedirectQr", QR, "Create a merchant-redirect QR",
              "A printable QR that sends any phone camera to your page, e.g. one per vending machine. Change "
              "its target later without reprinting; `ttl` deletes it after that many seconds.",
              Answer(200, "The QR", RedirectOut), _OPTIONAL_MSN, _IMAGE, RedirectIn, refusals=(409,)),
    Operation("GET", REDIRECT, list_redirects, "getAllMerchantRedirectQrs", QR, "List merchant-redirect QRs",
              "Every live redirect QR of the sales unit.",
              Answer(200, "The QRs", RedirectOut, many=True), _OPTIONAL_MSN, _IMAGE),
    Operation("GET", ONE, get_redirect, "getMerchantRedirectQrById", QR, "Get a merchant-redirect QR",
              "One redirect QR, with its image link in the format `Accept` asks for.",
              Answer(200, "The QR", RedirectOut), _OPTIONAL_MSN, _IMAGE, path_params=_ID),
    Operation("PUT", ONE, update_redirect, "updateMerchantRedirectUrl", QR, "Change where a redirect QR leads",
              "The printed QR stays the same; scans go to the new URL at once.",
              Answer(200, "The QR", RedirectOut), _OPTIONAL_MSN, _IMAGE, RedirectUpdateIn, path_params=_ID),
    Operation("DELETE", ONE, delete_redirect, "deleteMerchantRedirectQr", QR, "Delete a merchant-redirect QR",
              "Scans of the printed QR lead nowhere from now on; the id may be used again.",
              Answer(200, "Deleted"), _OPTIONAL_MSN, (SIZE, *SYSTEM), path_params=_ID),
)

ROUTES = routes(OPERATIONS)
