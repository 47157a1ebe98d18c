"""The QR API (contract §6) as data: static merchant QR codes and personal-QR exchange.

Redirect QR codes pick their image with the `Accept` and `Size` headers, callback QR codes with the
`QrImageFormat` and `QrImageSize` query. Creating a redirect QR is not idempotent (a repeat is a 409),
so it is resent only when it never left; PUT, DELETE and the exchanges are safe to resend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kasse.sdk._call import Call, model, models, new_idempotency_key, nothing, segment

REDIRECT = "/qr/v1/merchant-redirect"
CALLBACK = "/qr/v1/merchant-callback"


class RedirectQrFormat(StrEnum):
    """What `url` of a merchant redirect QR links to (sent as the `Accept` header)."""

    SVG = "image/svg+xml"  # an SVG image of the code
    PNG = "image/png"  # a PNG image of the code, `size` pixels square
    ANY_IMAGE = "image/*"  # the server's choice of image, SVG today
    TARGET_URL = "text/targetUrl"  # the text the code encodes, for approved custom designs


class CallbackQrFormat(StrEnum):
    """The image format of a merchant callback QR (the `QrImageFormat` query)."""

    SVG = "SVG"  # vector image; the default
    PNG = "PNG"  # bitmap, `size` pixels square


class RequestedData(StrEnum):
    """What an exchange should reveal about the customer."""

    MSISDN = "MSISDN"  # the customer's phone number


@dataclass(frozen=True, slots=True, kw_only=True)
class MerchantRedirectQr:
    """A static QR code that sends whoever scans it to `redirect_url`."""

    id: str
    url: str  # the image, or the encoded text for RedirectQrFormat.TARGET_URL
    redirect_url: str
    expires_in: int | None = None  # seconds left; -1 never expires


@dataclass(frozen=True, slots=True, kw_only=True)
class MerchantCallbackQr:
    """A static QR code whose scan sends a `user.checked-in.v1` webhook to the merchant."""

    merchant_serial_number: str | None = None
    merchant_qr_id: str | None = None
    location_description: str | None = None  # shown in the app while the customer waits
    qr_image_url: str | None = None
    qr_content: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangedQr:
    """What a scanned personal QR code stands for."""

    msisdn: str
    version: str
    timestamp: int | None = None  # epoch seconds the code was made, for version 2 codes


@dataclass(frozen=True, slots=True, kw_only=True)
class ExchangedCustomer:
    """What a check-in's customer token stands for."""

    msisdn: str
    timestamp: int | None = None


def _image_headers(image: RedirectQrFormat, size: int | None) -> dict[str, str]:
    headers = {"Accept": str(image)}
    if size is not None:
        headers["Size"] = str(size)
    return headers


def _image_query(image: CallbackQrFormat | None, size: int | None) -> dict[str, str]:
    params = {} if image is None else {"QrImageFormat": str(image)}
    if size is not None:
        params["QrImageSize"] = str(size)
    return params


def create_redirect(qr_id: str, redirect_url: str, ttl: int | None, image: RedirectQrFormat,
                    size: int | None) -> Call[MerchantRedirectQr]:
    """Return the call creating a redirect QR (Q2)."""
    payload: dict[str, object] = {"id": qr_id, "redirectUrl": redirect_url}
    if ttl is not None:
        payload["ttl"] = ttl
    return Call("POST", REDIRECT, model(MerchantRedirectQr), body=payload, headers=_image_headers(image, size),
                idempotency_key=new_idempotency_key())


def list_redirects(image: RedirectQrFormat, size: int | None) -> Call[tuple[MerchantRedirectQr, ...]]:
    """Return the call listing the redirect QR codes (Q3)."""
    return Call("GET", REDIRECT, models(MerchantRedirectQr), headers=_image_headers(image, size), replayable=True)


def get_redirect(qr_id: str, image: RedirectQrFormat, size: int | None) -> Call[MerchantRedirectQr]:
    """Return the call reading one redirect QR (Q4)."""
    return Call("GET", f"{REDIRECT}/{segment(qr_id)}", model(MerchantRedirectQr),
                headers=_image_headers(image, size), replayable=True)


def update_redirect(qr_id: str, redirect_url: str, image: RedirectQrFormat,
                    size: int | None) -> Call[MerchantRedirectQr]:
    """Return the call pointing a redirect QR somewhere else (Q5)."""
    return Call("PUT", f"{REDIRECT}/{segment(qr_id)}", model(MerchantRedirectQr), body={"redirectUrl": redirect_url},
                headers=_image_headers(image, size), idempotency_key=new_idempotency_key(), replayable=True)


def delete_redirect(qr_id: str) -> Call[None]:
    """Return the call deleting a redirect QR for good (Q6)."""
    return Call("DELETE", f"{REDIRECT}/{segment(qr_id)}", nothing, idempotency_key=new_idempotency_key(),
                replayable=True)


def put_callback(merchant_qr_id: str, location_description: str) -> Call[None]:
    """Return the call creating or renaming a callback QR (Q7)."""
    return Call("PUT", f"{CALLBACK}/{segment(merchant_qr_id)}", nothing,
                body={"locationDescription": location_description}, idempotency_key=new_idempotency_key(),
                replayable=True)


def list_callbacks(image: CallbackQrFormat | None, size: int | None) -> Call[tuple[MerchantCallbackQr, ...]]:
    """Return the call listing the callback QR codes (Q8)."""
    return Call("GET", CALLBACK, models(MerchantCallbackQr), params=_image_query(image, size), replayable=True)


def get_callback(merchant_qr_id: str, image: CallbackQrFormat | None, size: int | None) -> Call[MerchantCallbackQr]:
    """Return the call reading one callback QR (Q9)."""
    return Call("GET", f"{CALLBACK}/{segment(merchant_qr_id)}", model(MerchantCallbackQr),
                params=_image_query(image, size), replayable=True)


def delete_callback(merchant_qr_id: str) -> Call[None]:
    """Return the call deleting a callback QR (Q10)."""
    return Call("DELETE", f"{CALLBACK}/{segment(merchant_qr_id)}", nothing, idempotency_key=new_idempotency_key(),
                replayable=True)


def exchange(qr_code: str, requested: Sequence[RequestedData]) -> Call[ExchangedQr]:
    """Return the call exchanging a scanned personal QR for the customer's number (Q12)."""
    payload = {"qrCode": qr_code, "requestedData": [str(r) for r in requested]}
    return Call("POST", "/qr/v1/exchange", model(ExchangedQr), body=payload, idempotency_key=new_idempotency_key(),
                replayable=True)


def exchange_customer(customer_token: str, requested: Sequence[RequestedData]) -> Call[ExchangedCustomer]:
    """Return the call exchanging a check-in's customer token for the customer's number (Q13)."""
    payload = {"customer": {"customerToken": customer_token}, "requestedData": [str(r) for r in requested]}
    return Call("POST", "/qr/v1/exchange/customer", model(ExchangedCustomer), body=payload,
                idempotency_key=new_idempotency_key(), replayable=True)
