"""Static QR codes for unmanned points (contract §5.4, §6): merchant-redirect and merchant-callback QRs.

A redirect QR sends any camera to the merchant's page until it is deleted or its ttl runs out; a
callback QR checks a wallet user in at a location and yields a `customerToken` valid for 15 minutes.
The rules here are the QR API's field rules; every refusal is a `QrError` with a kind the API maps
to 400, 404 or 409.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from urllib.parse import quote

from kasse.domain.timefmt import rfc3339

# contract §6: MerchantRedirectQrRequest
REDIRECT_ID = re.compile(r"^[-_+%æøåÆØÅ\w\s]*$")
REDIRECT_ID_MAX = 128
REDIRECT_URL = re.compile(r"^https:\/\/[\w\.]+([\w#!:.?+=&%@\-\/]+)?$")
# kasse also takes plain http to this machine, so a merchant page on a developer's laptop works
LOOPBACK_URL = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?([\w#!:.?+=&%@\-\/]+)?$")
TTL_MIN, TTL_MAX = 300, 2_147_483_647
# contract §6: MerchantCallbackPutRequest; merchantQrId is any string (a path segment) of at most 128 characters,
# like a redirect QR's id: the stores keep it in a column of that size
LOCATION_MAX = 36
MERCHANT_QR_ID_MAX = 128
# contract §4.12: the token of a check-in is valid for 15 minutes
CUSTOMER_TOKEN_LIFETIME = timedelta(minutes=15)
NEVER = -1  # `expiresIn` of a QR without ttl


class QrErrorKind(StrEnum):
    """Why the QR API refuses a request."""

    INVALID = "INVALID"  # a field breaks the API's rules
    NOT_FOUND = "NOT_FOUND"  # no such QR (or token) for this sales unit
    CONFLICT = "CONFLICT"  # the id is taken


class QrError(Exception):
    """A refusal of the QR API; `invalid_params` names each bad field with its reason."""

    def __init__(self, kind: QrErrorKind, detail: str, invalid_params: list[tuple[str, str]] | None = None) -> None:
        super().__init__(detail)
        self.kind = kind
        self.detail = detail
        self.invalid_params = invalid_params or []


@dataclass(frozen=True, slots=True)
class MerchantRedirectQr:
    """A printed QR that sends the scanner's browser to `redirect_url`."""

    msn: str
    qr_id: str
    redirect_url: str
    created_at: datetime
    expires_at: datetime | None = None

    def expires_in(self, now: datetime) -> int:
        """Return whole seconds left, or -1 for a QR that never expires."""
        if self.expires_at is None:
            return NEVER
        return max(0, math.ceil((self.expires_at - now).total_seconds()))

    def is_live(self, now: datetime) -> bool:
        """Tell whether scanning it still leads anywhere."""
        return self.expires_at is None or now < self.expires_at


@dataclass(frozen=True, slots=True)
class MerchantCallbackQr:
    """A printed QR that checks the scanning user in at a location of a sales unit."""

    msn: str
    merchant_qr_id: str
    location_description: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class CheckIn:
    """A user scanned a callback QR; the merchant may push a payment with `token` until `expires_at`."""

    token: str
    msisdn: str
    msn: str
    merchant_qr_id: str
    location_description: str
    created_at: datetime
    expires_at: datetime

    def is_valid(self, now: datetime) -> bool:
        """Tell whether the customerToken may still be used."""
        return now < self.expires_at

    def webhook_payload(self) -> dict[str, object]:
        """Return the `user.checked-in.v1` payload (contract §5.4a)."""
        return {
            "customerToken": self.token,
            "merchantQrId": self.merchant_qr_id,
            "msn": self.msn,
            "initiatedAt": rfc3339(self.created_at),
        }


def check_in(token: str, msisdn: str, qr: MerchantCallbackQr, at: datetime) -> CheckIn:
    """Return the check-in of a user scanning `qr` at `at`."""
    return CheckIn(token, msisdn, qr.msn, qr.merchant_qr_id, qr.location_description, at,
                   at + CUSTOMER_TOKEN_LIFETIME)


def has_control_characters(text: str) -> bool:
    """Tell whether `text` holds a control character (CR, LF, NUL ...): no id of a printed QR may."""
    return any(unicodedata.category(ch) == "Cc" for ch in text)


def _control_reason(field: str) -> str:
    return f"The field {field} must not contain control characters."


def _pattern_reason(field: str, pattern: re.Pattern[str]) -> str:
    # worded like the QR API's own validation messages (contract §6)
    return f"The field {field} must match the regular expression '{pattern.pattern}'."


def redirect_url_problems(url: str) -> list[tuple[str, str]]:
    """Return what is wrong with a redirect target (https per the API; http only to loopback)."""
    if REDIRECT_URL.match(url) or LOOPBACK_URL.match(url):
        return []
    return [("RedirectUrl", _pattern_reason("RedirectUrl", REDIRECT_URL))]


def redirect_problems(qr_id: str, url: str, ttl: int | None) -> list[tuple[str, str]]:
    """Return every field rule a new redirect QR breaks, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if not 1 <= len(qr_id) <= REDIRECT_ID_MAX:
        problems.append(("Id", f"The field Id must be a string with a length between 1 and {REDIRECT_ID_MAX}."))
    elif has_control_characters(qr_id):  # the pattern's \s would let CR and LF through
        problems.append(("Id", _control_reason("Id")))
    elif not REDIRECT_ID.match(qr_id):
        problems.append(("Id", _pattern_reason("Id", REDIRECT_ID)))
    problems += redirect_url_problems(url)
    if ttl is not None and not TTL_MIN <= ttl <= TTL_MAX:
        problems.append(("Ttl", f"The field Ttl must be between {TTL_MIN} and {TTL_MAX}."))
    return problems


def callback_problems(merchant_qr_id: str, location: str) -> list[tuple[str, str]]:
    """Return every field rule a callback QR breaks, as (field, reason)."""
    problems: list[tuple[str, str]] = []
    if not merchant_qr_id:
        problems.append(("merchantQrId", "The merchantQrId field is required."))
    elif len(merchant_qr_id) > MERCHANT_QR_ID_MAX:
        problems.append(("merchantQrId", f"The field merchantQrId must be at most {MERCHANT_QR_ID_MAX} characters."))
    elif has_control_characters(merchant_qr_id):
        problems.append(("merchantQrId", _control_reason("merchantQrId")))
    if len(location) > LOCATION_MAX:
        problems.append(("LocationDescription",
                         f"The field LocationDescription must be a string with a maximum length of {LOCATION_MAX}."))
    elif has_control_characters(location):  # printed under the QR; a NUL cannot even be stored (PostgreSQL)
        problems.append(("LocationDescription", _control_reason("LocationDescription")))
    return problems


def redirect_content(base_url: str, msn: str, qr_id: str) -> str:
    """Return what a redirect QR encodes: a kasse URL that forwards to the merchant's page."""
    return f"{base_url}/q/r/{msn}/{quote(qr_id, safe='')}"


def callback_content(base_url: str, msn: str, merchant_qr_id: str) -> str:
    """Return what a callback QR encodes: a kasse URL the wallet turns into a check-in."""
    return f"{base_url}/q/c/{msn}/{quote(merchant_qr_id, safe='')}"
