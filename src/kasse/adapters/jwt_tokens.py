"""Access tokens as signed JWTs (HS256), verified without a database read.

A token carries its sales unit's MSN and a short hash of each of its subscription keys, so the
API can check the key and MSN headers against the token alone. Verified tokens are cached.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import jwt

from kasse.domain.access_token import Claims, InvalidTokenError, IssuedToken, PartnerClaims, key_hash
from kasse.domain.merchant import Merchant

__all__ = ["Claims", "InvalidTokenError", "IssuedToken", "JwtTokens", "PartnerClaims", "key_hash"]

LIFETIME = timedelta(hours=1)  # contract §2.1: one hour in the test environment
PARTNER_LIFETIME = timedelta(minutes=15)  # Report API contract §1.1: `/miami/v1/token` tokens last 15 minutes
AUDIENCE = "00000002-0000-0000-c000-000000000000"
_CACHE_LIMIT = 50_000


class JwtTokens:
    def __init__(self, secret: str, *, lifetime: timedelta = LIFETIME, refused: frozenset[str] = frozenset()) -> None:
        self._secret = secret
        self.lifetime = lifetime
        self._refused = refused  # client_ids whose tokens no longer count (the demo unit's, in production)
        self._cache: dict[str, Claims] = {}

    def issue(self, merchant: Merchant, now: datetime) -> IssuedToken:
        iat = int(now.timestamp())
        exp = iat + int(self.lifetime.total_seconds())
        claims = {
            "iss": "kasse",
            "aud": "00000002-0000-0000-c000-000000000000",
            "sub": merchant.client_id,
            "msn": merchant.msn,
            "kh": list(merchant.token_key_hashes),
            "iat": iat,
            "nbf": iat,
            "exp": exp,
        }
        return IssuedToken(jwt.encode(claims, self._secret, algorithm="HS256"), iat, exp)

    def verify(self, token: str, now: datetime) -> Claims:
        claims = self._cache.get(token)
        if claims is None:
            try:
                raw = jwt.decode(
                    token, self._secret, algorithms=["HS256"], audience="00000002-0000-0000-c000-000000000000",
                    # time checks follow the injected clock below, not the wall clock: after time travel
                    # a fresh token's `iat` lies in the wall clock's future
                    options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                             "require": ["exp", "msn", "kh"]},
                )
            except jwt.PyJWTError as exc:
                raise InvalidTokenError(str(exc)) from None
            if raw.get("sub") in self._refused:
                raise InvalidTokenError("this sales unit's tokens are not accepted here")
            claims = Claims(str(raw["msn"]), tuple(raw["kh"]), int(raw["exp"]))
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[token] = claims
        # expiry follows the injected clock, so time travel expires tokens too
        if now.timestamp() >= claims.expires:
            raise InvalidTokenError("token expired")
        return claims

    def issue_partner(self, partner_id: str, client_id: str, now: datetime) -> IssuedToken:
        """Issue an accounting partner's token: Report API only, never accepted by the payment APIs (no `msn`)."""
        iat = int(now.timestamp())
        exp = iat + int(PARTNER_LIFETIME.total_seconds())
        claims = {"iss": "kasse", "aud": AUDIENCE, "sub": client_id, "partner": partner_id, "iat": iat, "nbf": iat,
                  "exp": exp}
        return IssuedToken(jwt.encode(claims, self._secret, algorithm="HS256"), iat, exp)

    def verify_report(self, token: str, now: datetime) -> Claims | PartnerClaims:
        """Verify a token for the Report API: a sales unit's (merchant keys) or an accounting partner's."""
        try:
            raw = jwt.decode(token, self._secret, algorithms=["HS256"], audience=AUDIENCE,
                             options={"verify_exp": False, "verify_nbf": False, "verify_iat": False,
                                      "require": ["exp"]})
        except jwt.PyJWTError as exc:
            raise InvalidTokenError(str(exc)) from None
        if now.timestamp() >= int(raw["exp"]):
            raise InvalidTokenError("token expired")
        if isinstance(raw.get("partner"), str):
            return PartnerClaims(raw["partner"], int(raw["exp"]))
        if isinstance(raw.get("msn"), str) and isinstance(raw.get("kh"), list):
            return Claims(raw["msn"], tuple(raw["kh"]), int(raw["exp"]))
        raise InvalidTokenError("not an access token")
