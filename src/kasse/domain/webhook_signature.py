"""The Vipps MobilePay webhook signature (contract §8.3): one implementation for signing and checking.

The HMAC key is the UTF-8 bytes of the secret string as given, never its base64 decoding.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urlsplit

SIGNED_HEADERS = "x-ms-date;host;x-ms-content-sha256"
DEFAULT_TOLERANCE = timedelta(minutes=5)


def content_hash(body: bytes) -> str:
    """Return base64(SHA-256(body)), the `x-ms-content-sha256` header."""
    return base64.b64encode(hashlib.sha256(body).digest()).decode("ascii")


def http_date(moment: datetime) -> str:
    """Return an RFC 1123 date such as `Thu, 30 Mar 2023 08:38:32 GMT`."""
    return format_datetime(moment, usegmt=True)


def _authority_and_path(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    path = parts.path or "/"
    return parts.netloc, f"{path}?{parts.query}" if parts.query else path


def signature(secret: str, url: str, date: str, body_hash: str) -> str:
    """Return base64(HMAC-SHA256(secret, string-to-sign)) for a POST to `url`."""
    host, path_and_query = _authority_and_path(url)
    to_sign = f"POST\n{path_and_query}\n{date};{host};{body_hash}"
    digest = hmac.new(secret.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


@dataclass(frozen=True, slots=True)
class SignedHeaders:
    """The four headers a webhook delivery carries."""

    date: str
    content_sha256: str
    host: str
    authorization: str

    def as_dict(self) -> dict[str, str]:
        """Return them as HTTP header names and values."""
        return {
            "x-ms-date": self.date,
            "x-ms-content-sha256": self.content_sha256,
            "host": self.host,
            "authorization": self.authorization,
        }


def sign(secret: str, url: str, body: bytes, at: datetime) -> SignedHeaders:
    """Sign a delivery of `body` to `url` at the moment `at`."""
    date = http_date(at)
    body_hash = content_hash(body)
    host, _ = _authority_and_path(url)
    sig = signature(secret, url, date, body_hash)
    return SignedHeaders(date, body_hash, host, f"HMAC-SHA256 SignedHeaders={SIGNED_HEADERS}&Signature={sig}")


class SignatureError(ValueError):
    """A webhook request whose signature, content hash or date does not check out."""


def verify(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    url: str,
    *,
    now: datetime,
    tolerance: timedelta = DEFAULT_TOLERANCE,
) -> None:
    """Check a received webhook: content hash, date within tolerance, signature (constant time).

    `url` is the URL the webhook was registered with (its path and query are signed).

    Raises:
        SignatureError: any check fails.
    """
    lower = {k.lower(): v for k, v in headers.items()}
    date, body_hash, auth = lower.get("x-ms-date"), lower.get("x-ms-content-sha256"), lower.get("authorization")
    if not (date and body_hash and auth):
        raise SignatureError("missing x-ms-date, x-ms-content-sha256 or authorization")
    if not hmac.compare_digest(body_hash, content_hash(body)):
        raise SignatureError("content hash does not match the body")
    try:
        sent = parsedate_to_datetime(date)
    except (TypeError, ValueError) as exc:
        raise SignatureError("x-ms-date is not an RFC 1123 date") from exc
    if abs(now - sent) > tolerance:
        raise SignatureError("x-ms-date is outside the tolerance")
    expected = f"HMAC-SHA256 SignedHeaders={SIGNED_HEADERS}&Signature={signature(secret, url, date, body_hash)}"
    if not hmac.compare_digest(auth.encode(), expected.encode()):
        raise SignatureError("signature does not match")
