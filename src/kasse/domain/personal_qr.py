"""What a QR code says: the personal QR formats, and sorting any scanned content into what it opens.

Personal QR (contract §5.2): version 1.0 is Vipps' clear-text form with the MSISDN in the path,
`https://qr.vipps.no/28/2/01/031/<msisdn>?v=1`; version 2.0 is the tokenized MobilePay form,
`https://qr.vipps.no/p/<token>`, which names the user only through the platform. kasse's own QR codes
live under its base URL: `/p/<token>` (one-time payment), `/q/r/<msn>/<id>` (merchant redirect) and
`/q/c/<msn>/<merchantQrId>` (merchant callback). Parsing is pure; nothing here looks anything up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from urllib.parse import parse_qs, unquote, urlsplit

PERSONAL_QR_HOST = "qr.vipps.no"
V1_PREFIX = f"https://{PERSONAL_QR_HOST}/28/2/01/031/"
V2_PREFIX = f"https://{PERSONAL_QR_HOST}/p/"

_V1 = re.compile(r"^https://qr\.vipps\.no/28/2/01/031/(\d{9,15})\?v=1$")
_V2 = re.compile(r"^https://qr\.vipps\.no/p/([A-Za-z0-9_-]{8,128})$")


class PersonalQrVersion(StrEnum):
    """The personal QR format, as `POST /qr/v1/exchange` reports it."""

    V1 = "1.0"  # clear text: the MSISDN is in the content
    V2 = "2.0"  # tokenized: only the platform knows whose it is


@dataclass(frozen=True, slots=True)
class PersonalQr:
    """A parsed personal QR: the MSISDN (version 1.0) or the token (version 2.0)."""

    version: PersonalQrVersion
    value: str


def v1_content(msisdn: str) -> str:
    """Return the clear-text (version 1.0) personal QR content for a number."""
    return f"{V1_PREFIX}{msisdn}?v=1"


def v2_content(token: str) -> str:
    """Return the tokenized (version 2.0) personal QR content for a user's token."""
    return f"{V2_PREFIX}{token}"


# (pattern, version) tried in order; the content must match one exactly, whitespace aside
_FORMATS: tuple[tuple[re.Pattern[str], PersonalQrVersion], ...] = (
    (_V1, PersonalQrVersion.V1),
    (_V2, PersonalQrVersion.V2),
)


def parse_personal_qr(content: str) -> PersonalQr | None:
    """Return the personal QR the content holds, or None if it is not one."""
    text = content.strip()
    for pattern, version in _FORMATS:
        found = pattern.match(text)
        if found:
            return PersonalQr(version, found.group(1))
    return None


class ScanKind(StrEnum):
    """What scanning a QR code in the wallet leads to."""

    PAYMENT = "PAYMENT"  # a one-time payment QR: open that payment
    MERCHANT_REDIRECT = "MERCHANT_REDIRECT"  # a static QR that sends the browser to the merchant's page
    MERCHANT_CALLBACK = "MERCHANT_CALLBACK"  # a static QR that checks the user in at a merchant's location
    PERSONAL = "PERSONAL"  # someone's personal QR: meant for a cashier's scanner, not a wallet
    UNKNOWN = "UNKNOWN"  # nothing kasse knows


@dataclass(frozen=True, slots=True)
class Scanned:
    """Scanned content, sorted: `parts` are the identifiers in its path (token, or MSN and QR id)."""

    kind: ScanKind
    parts: tuple[str, ...] = ()


_KASSE_PATHS: tuple[tuple[re.Pattern[str], ScanKind], ...] = (
    (re.compile(r"^/p/([^/]+)$"), ScanKind.PAYMENT),
    (re.compile(r"^/q/r/(\d{4,10})/([^/]+)$"), ScanKind.MERCHANT_REDIRECT),
    (re.compile(r"^/q/c/(\d{4,10})/([^/]+)$"), ScanKind.MERCHANT_CALLBACK),
)


def _kasse_path(content: str, base_url: str) -> tuple[str, str]:
    # content made under another host name for the same kasse still scans: only the path counts
    if content.startswith(base_url + "/"):
        rest = content[len(base_url):]
        path, _, query = rest.partition("?")
        return path, query
    parts = urlsplit(content)
    return parts.path, parts.query


def classify(content: str, base_url: str) -> Scanned:
    """Sort scanned content into what it opens; `base_url` is where kasse's own QR codes point."""
    text = content.strip()
    personal = parse_personal_qr(text)
    if personal is not None:
        return Scanned(ScanKind.PERSONAL, (personal.version.value, personal.value))
    if not text.lower().startswith(("http://", "https://")):
        return Scanned(ScanKind.UNKNOWN)
    path, query = _kasse_path(text, base_url.rstrip("/"))
    if path == "/landing":
        token = parse_qs(query).get("token", [""])[0]
        return Scanned(ScanKind.PAYMENT, (token,)) if token else Scanned(ScanKind.UNKNOWN)
    for pattern, kind in _KASSE_PATHS:
        found = pattern.match(path)
        if found:
            return Scanned(kind, tuple(unquote(g) for g in found.groups()))
    return Scanned(ScanKind.UNKNOWN)
