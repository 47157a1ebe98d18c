"""QR API v1 bodies (contract §6). Types only: the field rules live in `domain/static_qr.py`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kasse.api.schemas.common import Strict
from kasse.domain.urls import is_absolute_uri

_BASE = "http://127.0.0.1:8000"


def _example(value: Any) -> ConfigDict:
    return ConfigDict(strict=True, extra="ignore", frozen=True, json_schema_extra={"examples": [value]})


class OneTimeQrIn(Strict):
    model_config = _example({"url": f"{_BASE}/landing?token=7Yx2pQ"})

    url: Annotated[str, Field(description="The payment's landing page: the redirectUrl of a WEB_REDIRECT create")]


class RedirectIn(Strict):
    model_config = _example({"id": "billboard_1", "redirectUrl": "https://example.com/machine-42", "ttl": 600})

    id: Annotated[str | None, Field(description="Your id for the QR, 1-128 characters")] = None
    redirectUrl: Annotated[str | None, Field(description="Where a scan sends the browser (https)")] = None
    ttl: Annotated[int | None, Field(description="Seconds until the QR is deleted, 300 or more")] = None


class RedirectUpdateIn(Strict):
    model_config = _example({"redirectUrl": "https://example.com/machine-43"})

    redirectUrl: str


class CallbackIn(Strict):
    model_config = _example({"locationDescription": "Kasse 1"})

    locationDescription: Annotated[str, Field(description="Shown in the app after a scan, at most 36 characters")]


class ExchangeIn(Strict):
    model_config = _example({"qrCode": "https://qr.vipps.no/28/2/01/031/4712345678?v=1", "requestedData": ["MSISDN"]})

    qrCode: Annotated[str, Field(min_length=1, description="Everything the scanner read from the personal QR")]
    requestedData: tuple[Literal["MSISDN"], ...] = ("MSISDN",)


class CustomerRefIn(Strict):
    customerToken: str | None = None


class CustomerExchangeIn(Strict):
    model_config = _example({"customer": {"customerToken": "cHJvdGVjdGVkLXRva2Vu"}, "requestedData": ["MSISDN"]})

    customer: CustomerRefIn | None = None
    requestedData: tuple[Literal["MSISDN"], ...] = ("MSISDN",)


def _absolute_uri(value: str) -> str:
    if not is_absolute_uri(value):
        raise ValueError("must be an absolute URI, such as https://example.com/orders/1")
    return value


class CategoryIn(Strict):
    model_config = _example({"category": "RECEIPT", "orderDetailsUrl": "https://example.com/orders/acme-shop-123"})

    category: Literal["GENERAL", "RECEIPT", "ORDER_CONFIRMATION", "DELIVERY", "TICKET", "BOOKING"]
    orderDetailsUrl: Annotated[str, Field(min_length=1, max_length=2500), AfterValidator(_absolute_uri)]
    imageId: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[0-9A-Za-z-_\.]+$")] | None = None


def _out(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class OneTimeQrOut(BaseModel):
    model_config = _out({"url": f"{_BASE}/qr-image/v1?token=7Yx2pQ", "expiresIn": 544})

    url: Annotated[str, Field(description="The QR image (or, for Accept: text/targetUrl, what the QR encodes)")]
    expiresIn: Annotated[int, Field(description="Seconds the QR stays valid")]


class RedirectOut(BaseModel):
    model_config = _out({"id": "billboard_1", "url": f"{_BASE}/qr-image/v1/r/123456/billboard_1.svg",
                         "redirectUrl": "https://example.com/machine-42", "expiresIn": -1})

    id: str
    url: Annotated[str, Field(description="The QR image, or what it encodes (Accept: text/targetUrl)")]
    redirectUrl: str
    expiresIn: Annotated[int, Field(description="Seconds left; -1: never expires")]


class CallbackOut(BaseModel):
    model_config = _out({"merchantSerialNumber": "123456", "merchantQrId": "kasse-1",
                         "locationDescription": "Kasse 1",
                         "qrImageUrl": f"{_BASE}/qr-image/v1/c/123456/kasse-1.svg",
                         "qrContent": f"{_BASE}/q/c/123456/kasse-1"})

    merchantSerialNumber: str
    merchantQrId: str
    locationDescription: str
    qrImageUrl: str
    qrContent: str


class ExchangeOut(BaseModel):
    model_config = _out({"msisdn": "4712345678", "timestamp": 1634025600, "version": "2.0"})

    msisdn: str
    timestamp: Annotated[int | None, Field(description="When the QR was generated (version 2.0)")] = None
    version: str


class CustomerExchangeOut(BaseModel):
    model_config = _out({"msisdn": "4712345678", "timestamp": 1634025600})

    msisdn: str
    timestamp: int | None
