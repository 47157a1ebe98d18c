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
# a body is parsed (and redacted) only when it may hold one: a secret-named key, or the word anywhere
_SECRET_KEY = re.compile(r'"(?:' + "|".join(sorted(SECRET_FIELDS)) + r')"\s*:', re.IGNORECASE)
_HINTS = ("secret", "password")


def redact_headers(headers: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Return the headers with every credential's value replaced; names are lower-cased."""
    kept: dict[str, str] = {}
    for name, value in headers:
        lower = name.lower()
        kept[lower] = REDACTED if lower in SECRET_HEADERS else value
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
    if _SECRET_KEY.search(text):
        return True
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


def parse_json_field(raw: bytes, name: str) -> str | None:
    """Return a top-level string field of a JSON object body (a create's `reference`), None when absent."""
    if not raw or raw[:1] not in (b"{", b" ", b"\n", b"\t", b"\r"):
        return None
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    value = parsed.get(name) if isinstance(parsed, dict) else None
    return value if isinstance(value, str) else None
