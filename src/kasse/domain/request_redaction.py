"""What of an API request the request log may keep: credentials never, bodies only a few KiB.

Secrets are taken out before anything is stored: the credential headers, and every JSON or form field
named like a secret (a webhook's `secret`, an access token, a client secret) at any depth. A body that
cannot be parsed but mentions such a name is withheld whole rather than guessed at. Truncation comes
after redaction, so a cut can never reveal half a secret that redaction would have hidden.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

REDACTED = "[redacted]"
MAX_BODY_CHARS = 4096

# lower-case header names: the merchant's and the partner's credentials, browsers' cookies and CSRF tokens
SECRET_HEADERS = frozenset({
    "authorization", "proxy-authorization", "client_id", "client_secret", "ocp-apim-subscription-key",
    "cookie", "set-cookie", "x-csrf-token",
})
# JSON keys and form fields: webhook secrets (contract §8), access tokens (§2.1), partner credentials
SECRET_FIELDS = frozenset({
    "secret", "access_token", "accesstoken", "client_secret", "clientsecret", "client_id", "clientid",
    "password", "subscriptionkey", "subscription_key", "refresh_token", "id_token",
})
# a body is parsed (and redacted) only when it may hold one: these cover every name above (`token"` the
# JSON keys ending in token, not a URL's `?token=`); a plain create or its answer has none of them
_HINTS = ("secret", "password", 'token"', "client_id", "clientid", "subscription")
_REFERENCE = re.compile(rb'"reference"\s*:\s*"([^"\\]{1,200})"')


def redact_headers(headers: Iterable[tuple[bytes, bytes]]) -> dict[str, str]:
    """Return raw (ASGI) headers as text with every credential's value replaced; names are lower-cased."""
    kept: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1").lower()
        kept[name] = REDACTED if name in SECRET_HEADERS else raw_value.decode("latin-1")
    return kept


def _redact_value(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: REDACTED if k.lower() in SECRET_FIELDS else _redact_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_redact_value(v) for v in value]
    return value


def _truncate(text: str) -> str:
    if len(text) <= MAX_BODY_CHARS:
        return text
    return text[:MAX_BODY_CHARS] + f"… [{len(text) - MAX_BODY_CHARS} more characters]"


def _mentions_secret(text: str) -> bool:
    lower = text.lower()
    return any(hint in lower for hint in _HINTS)


def redact_query(query: str) -> str:
    """Return a query string with secret-named parameters' values replaced."""
    if not query:
        return query
    lower = query.lower()
    if not any(name + "=" in lower for name in SECRET_FIELDS):
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return urlencode([(k, REDACTED if k.lower() in SECRET_FIELDS else v) for k, v in pairs], safe="[]")


def redact_body(raw: bytes, content_type: str = "") -> str:
    """Return a body as text fit to store: secrets replaced, at most `MAX_BODY_CHARS` characters and a note."""
    if not raw:
        return ""
    text = raw.decode("utf-8", "replace")
    if not _mentions_secret(text):
        return _truncate(text)
    form = "=" in text and not text.lstrip().startswith(("{", "["))  # a form, whatever it was labelled
    if form or "form-urlencoded" in content_type:
        return _truncate(redact_query(text))
    try:  # too deep a nesting is refused by the API as well, and here withheld like any unreadable body
        return _truncate(json.dumps(_redact_value(json.loads(text)), ensure_ascii=False, separators=(",", ":")))
    except (ValueError, RecursionError):
        return f"[withheld: {len(raw)} bytes that are not JSON and may hold a secret]"


def reference_in(raw: bytes) -> str | None:
    """Return the `reference` a create request's JSON body names (the first such string), None when absent.

    A pattern, not a parse: the log reads it from every create, and a create names no other `reference`.
    """
    found = _REFERENCE.search(raw[:8192])
    return found.group(1).decode("utf-8", "replace") if found else None
