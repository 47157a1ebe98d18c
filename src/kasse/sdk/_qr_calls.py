"""The QR API's calls (contract §6) as data: static merchant QR codes and personal-QR exchange.

Redirect QR codes pick their image with the `Accept` and `Size` headers, callback QR codes with the
`QrImageFormat` and `QrImageSize` query. Creating a redirect QR is not idempotent (a repeat is a 409),
so it is resent only when it never left; PUT, DELETE and the exchanges are safe to resend.
"""

from __future__ import annotations

from collections.abc import Sequence

from kasse.sdk._call import Call, model, models, new_idempotency_key, nothing, segment
from kasse.sdk._qr_models import (
    CallbackQrFormat,
    ExchangedCustomer,
    ExchangedQr,
    MerchantCallbackQr,
    MerchantRedirectQr,
    RedirectQrFormat,
    RequestedData,
)

REDIRECT = "/qr/v1/merchant-redirect"
CALLBACK = "/qr/v1/merchant-callback"


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
