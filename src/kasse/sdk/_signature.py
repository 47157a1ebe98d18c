"""Checking a webhook's signature (contract §8.3) on the receiving side.

The SDK ships on its own, so it carries its own check rather than kasse's signing code; both are held
to the contract's test vector (tests/unit/sdk/test_webhook_events.py). The HMAC key is the UTF-8 bytes of
the secret as given, never its base64 decoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
DEFAULT_TOLERANCE = timedelta(minutes=5)


class SignatureMismatchError(ValueError):
    """The content hash, date or signature of a received webhook does not check out."""


def _b64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")


def expected_authorization(secret: str, url: str, date: str, body_hash: str) -> str:
    """Return the `Authorization` header a genuine delivery of a body with `body_hash` to `url` carries."""
    parts = urlsplit(url)
    path = parts.path or "/"
    to_sign = f"POST\n{path}?{parts.query}\n" if parts.query else f"POST\n{path}\n"
    mac = hmac.new(secret.encode("utf-8"), f"{to_sign}{date};{parts.netloc};{body_hash}".encode(), hashlib.sha256)
    return f"HMAC-SHA256 SignedHeaders={SIGNED_HEADERS}&Signature={base64.b64encode(mac.digest()).decode('ascii')}"


def check(headers: Mapping[str, str], body: bytes, secret: str, url: str, *, now: datetime,
          tolerance: timedelta = DEFAULT_TOLERANCE) -> None:
    """Check content hash, date (within `tolerance` of `now`) and signature, in constant time where it matters.

    Raises:
        SignatureMismatchError: any of them fails.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    date, body_hash, auth = lower.get("x-ms-date"), lower.get("x-ms-content-sha256"), lower.get("authorization")
    if not (date and body_hash and auth):
        raise SignatureMismatchError("missing x-ms-date, x-ms-content-sha256 or authorization")
    if not hmac.compare_digest(body_hash, _b64_sha256(body)):
        raise SignatureMismatchError("content hash does not match the body")
    try:
        sent = parsedate_to_datetime(date)
    except (TypeError, ValueError) as exc:
        raise SignatureMismatchError("x-ms-date is not an RFC 1123 date") from exc
    if abs(now - sent) > tolerance:
        raise SignatureMismatchError("x-ms-date is outside the tolerance")
    if not hmac.compare_digest(auth.encode(), expected_authorization(secret, url, date, body_hash).encode()):
        raise SignatureMismatchError("signature does not match")
