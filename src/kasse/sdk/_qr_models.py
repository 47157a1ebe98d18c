"""What the QR API (contract §6) takes and answers: image formats, static merchant QR codes, exchanges."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


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
