"""Which URLs a merchant may hand us to send people to (contract §4.2.1: https or a custom scheme).

Plain http is allowed only for loopback hosts, so a POS on a developer's machine can be tested.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

_FORBIDDEN_SCHEMES = frozenset({"javascript", "data", "file", "vbscript", "blob", "ftp"})
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
# RFC 3986 absolute URI: a scheme, a colon, then no whitespace or control characters (OpenAPI `format: uri`)
_ABSOLUTE_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s\x00-\x1f\x7f]+$")


def is_acceptable_redirect(url: str) -> bool:
    """Tell whether `url` is https with a host, a custom app scheme, or http to loopback."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    scheme = parts.scheme.lower()
    if not scheme or scheme in _FORBIDDEN_SCHEMES:
        return False
    if scheme == "https":
        return bool(parts.hostname)
    if scheme == "http":
        return parts.hostname in _LOOPBACK
    return True


def is_absolute_uri(url: str) -> bool:
    """Tell whether `url` is an absolute URI (a scheme first), as a `format: uri` field of a spec asks."""
    return _ABSOLUTE_URI.match(url) is not None
