"""Who is calling: the sales unit behind a merchant API request, found once per request (contract §2.3).

`MerchantTokens` is a Starlette authentication backend: `AuthenticationMiddleware` runs it before
routing, so every merchant operation finds the caller in `request.user` and none checks tokens itself.
A request without an `Authorization` header passes as anonymous; the operation it reaches refuses it
if it needs a sales unit (`api/operations.py`), so a wrong method or path still gets its 405 or 404.
401 for a malformed, forged or expired token or a missing key; 403 for a key or MSN of another sales
unit. Nothing here reads the database.
"""

from __future__ import annotations

from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError, BaseUser
from starlette.requests import HTTPConnection
from starlette.responses import Response

from kasse.api.problems import problem_response
from kasse.container import Container
from kasse.domain.access_token import InvalidTokenError, key_hash

# the Vipps MobilePay APIs: every route below these takes the merchant's token, key and MSN; and a sales
# unit's own event stream (`kasse listen`)
MERCHANT_PREFIXES = ("/epayment/v1/", "/webhooks/v1/", "/qr/v1", "/order-management/v2/", "/_kasse/events/stream")
_CREDENTIALS = AuthCredentials(["merchant"])


class SalesUnit(BaseUser):
    """The authenticated caller: a sales unit, and whether the request named its MSN."""

    __slots__ = ("msn", "msn_given")

    def __init__(self, msn: str, msn_given: bool) -> None:
        self.msn = msn
        self.msn_given = msn_given

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def display_name(self) -> str:
        return self.msn


class RefusedError(AuthenticationError):
    """Credentials that were sent and are wrong: answered before routing."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class MerchantTokens(AuthenticationBackend):
    """Check the bearer token, subscription key and MSN of requests to the merchant APIs."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, BaseUser] | None:
        path: str = conn.scope["path"]
        if not path.startswith(MERCHANT_PREFIXES):
            return None
        headers = conn.headers
        auth = headers.get("authorization")
        if auth is None:
            return None
        if not auth.startswith("Bearer "):
            raise RefusedError(401, "Missing or malformed Authorization header: 'Bearer <token>' is required")
        c: Container = conn.app.state.container
        try:
            claims = c.tokens.verify(auth[7:].strip(), c.clock.now())
        except InvalidTokenError as exc:
            raise RefusedError(401, f"Invalid access token: {exc}") from None
        key = headers.get("ocp-apim-subscription-key")
        if not key:
            raise RefusedError(401, "Access denied due to missing subscription key (Ocp-Apim-Subscription-Key)")
        if key_hash(key) not in claims.key_hashes:
            raise RefusedError(403, "The subscription key does not belong to the token's sales unit")
        msn = headers.get("merchant-serial-number")
        if msn is not None and msn != claims.msn:
            raise RefusedError(403, "The Merchant-Serial-Number does not belong to the token's sales unit")
        return _CREDENTIALS, SalesUnit(claims.msn, msn is not None)


def refused(conn: HTTPConnection, exc: Exception) -> Response:
    """Answer a request whose credentials were refused (the API gateway's problem+json, on every API)."""
    status, detail = (exc.status, exc.detail) if isinstance(exc, RefusedError) else (401, str(exc))
    return problem_response(status, detail, conn.scope["path"])
