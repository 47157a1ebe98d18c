"""QR API v1: merchant-callback QRs (Q7–Q10) and MobilePay beacon mappings (Q11) of contract §3 and §6.

Scanning one checks the wallet user in and sends the sales unit a `user.checked-in.v1` webhook with a
`customerToken` to push a payment to. These operations need the `Merchant-Serial-Number` header.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.invalid_params import ParamsProblemError, parse_params
from kasse.api.operations import Access, Answer, Operation, Query, routes
from kasse.api.responses import json_response
from kasse.api.schemas.qr import CallbackIn, CallbackOut
from kasse.api.vipps.qr import QR, SYSTEM, checked_size, container, image_url, read, write
from kasse.container import Container
from kasse.domain.static_qr import MerchantCallbackQr, callback_content
from kasse.services import legacy_qr
from kasse.services import qr_codes as use


def _callback_wire(c: Container, qr: MerchantCallbackQr, fmt: str, size: int) -> dict[str, object]:
    base = c.settings.base_url
    return {
        "merchantSerialNumber": qr.msn,
        "merchantQrId": qr.merchant_qr_id,
        "locationDescription": qr.location_description,
        "qrImageUrl": image_url(base, "c", qr.msn, qr.merchant_qr_id, fmt, size),
        "qrContent": callback_content(base, qr.msn, qr.merchant_qr_id),
    }


def _callback_format(request: Request) -> tuple[str, int]:
    fmt = request.query_params.get("QrImageFormat", "SVG").upper()
    if fmt not in ("SVG", "PNG"):
        reason = [("QrImageFormat", "Supported values: PNG, SVG")]
        raise ParamsProblemError(400, "QrImageFormat must be PNG or SVG", reason)
    return fmt.lower(), checked_size(request.query_params.get("QrImageSize"), "QrImageSize")


async def put_callback(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["merchant_qr_id"]
    body = parse_params(CallbackIn, await read_body(request))
    location = body.locationDescription
    await write(c, lambda uow: use.put_callback(uow, c.clock, msn, qr_id, location))
    return Response(status_code=200)


async def put_beacon(request: Request) -> Response:
    c, msn, beacon_id = container(request), request.user.msn, request.path_params["beacon_id"]
    body = parse_params(CallbackIn, await read_body(request))
    location = body.locationDescription
    await write(c, lambda uow: legacy_qr.map_beacon(uow, c.clock, msn, beacon_id, location))
    return Response(status_code=200)


async def list_callbacks(request: Request) -> Response:
    c, msn = container(request), request.user.msn
    fmt, size = _callback_format(request)
    found = c.db.read(lambda uow: uow.static_qrs.list_callbacks(msn))
    return json_response([_callback_wire(c, qr, fmt, size) for qr in found])


async def get_callback(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["merchant_qr_id"]
    fmt, size = _callback_format(request)
    qr = read(c, lambda uow: use.get_callback(uow, msn, qr_id))
    return json_response(_callback_wire(c, qr, fmt, size))


async def delete_callback(request: Request) -> Response:
    c, msn, qr_id = container(request), request.user.msn, request.path_params["merchant_qr_id"]
    await write(c, lambda uow: use.delete_callback(uow, msn, qr_id))
    return Response(status_code=200)


CALLBACK = "/qr/v1/merchant-callback"
ONE = CALLBACK + "/{merchant_qr_id}"
_ID = {"merchant_qr_id": {"type": "string", "example": "kasse-1"}}
_IMAGE_QUERY = (Query("QrImageFormat", "PNG or SVG (default)", {"type": "string", "enum": ["PNG", "SVG"]}),
                Query("QrImageSize", "PNG width and height in pixels (default 800)",
                      {"type": "integer", "minimum": 100, "maximum": 2000}))
_MERCHANT = Access.MERCHANT

OPERATIONS = (
    Operation("PUT", ONE, put_callback, "putMerchantCallbackQr", QR, "Create or change a merchant-callback QR",
              "A printable QR for an unmanned point (vending machine, trust shop). A scan checks the user in and "
              "sends your `user.checked-in.v1` webhook a customerToken, valid 15 minutes, to push a payment to. "
              "Sending the same id again changes the location description; the image stays the same.",
              Answer(200, "Saved"), _MERCHANT, SYSTEM, CallbackIn, path_params=_ID),
    Operation("GET", CALLBACK, list_callbacks, "getMerchantCallbackQrs", QR, "List merchant-callback QRs",
              "Every callback QR of the sales unit, with image links in the format asked for.",
              Answer(200, "The QRs", CallbackOut, many=True), _MERCHANT, SYSTEM, query=_IMAGE_QUERY),
    Operation("GET", ONE, get_callback, "getMerchantCallbackById", QR, "Get a merchant-callback QR",
              "One callback QR, with its image link and what it encodes.",
              Answer(200, "The QR", CallbackOut), _MERCHANT, SYSTEM, path_params=_ID, query=_IMAGE_QUERY),
    Operation("DELETE", ONE, delete_callback, "deleteMerchantCallbackQr", QR, "Delete a merchant-callback QR",
              "Scans of the printed QR no longer check anyone in.",
              Answer(200, "Deleted"), _MERCHANT, SYSTEM, path_params=_ID),
    Operation("PUT", CALLBACK + "/mobilepay/{beacon_id}", put_beacon, "putMerchantCallbackMobilePayQr", QR,
              "Map a MobilePay beacon QR",
              "Keep a printed MobilePay point-of-sale QR working: its beacon id becomes a callback QR of this "
              "sales unit (the check-in's merchantQrId is the beacon id). A beacon belongs to one sales unit.",
              Answer(200, "Mapped"), _MERCHANT, SYSTEM, CallbackIn, refusals=(409,),
              path_params={"beacon_id": {"type": "string", "example": "100000625947428"}}),
)

ROUTES = routes(OPERATIONS)
