"""Merchant authentication on every API call: bearer token, subscription key and MSN (contract §2.3).

401 for a missing, malformed, forged or expired token; 403 for a key or MSN that is not the
token's sales unit. Nothing here reads the database.
"""

from __future__ import annotations

from starlette.requests import Request

from kasse.api.problems import ProblemError
from kasse.container import TokenIssuer
from kasse.domain.access_token import InvalidTokenError, key_hash
from kasse.services.ports import Clock


def authorize(request: Request, tokens: TokenIssuer, clock: Clock, *, msn_required: bool = True) -> str:
    """Return the MSN of the authenticated sales unit."""
    headers = request.headers
    auth = headers.get("authorization", "")
    if not auth.startswith("Bearer "):
        raise ProblemError(401, "Missing or malformed Authorization header: 'Bearer <token>' is required")
    try:
        claims = tokens.verify(auth[7:].strip(), clock.now())
    except InvalidTokenError as exc:
        raise ProblemError(401, f"Invalid access token: {exc}") from None
    key = headers.get("ocp-apim-subscription-key")
    if not key:
        raise ProblemError(401, "Access denied due to missing subscription key (Ocp-Apim-Subscription-Key)")
    if key_hash(key) not in claims.key_hashes:
        raise ProblemError(403, "The subscription key does not belong to the token's sales unit")
    msn = headers.get("merchant-serial-number")
    if msn is None:
        if msn_required:
            raise ProblemError(
                400, "Merchant-Serial-Number header is required", [("Merchant-Serial-Number", "required")]
            )
        return claims.msn
    if msn != claims.msn:
        raise ProblemError(403, "The Merchant-Serial-Number does not belong to the token's sales unit")
    return msn


def idempotency_key(request: Request, *, required: bool) -> str | None:
    key = request.headers.get("idempotency-key")
    if key is None or key == "":
        if required:
            raise ProblemError(400, "Idempotency-Key header is required", [("Idempotency-Key", "required")])
        return None
    if len(key) > 50:
        raise ProblemError(400, "Idempotency-Key is too long", [("Idempotency-Key", "at most 50 characters")])
    return key
