"""Every merchant endpoint, read from the app's own routes, refuses a token that is not the caller's.

Contract §2.3 and §4.10.1: a missing, malformed, expired or forged token is a 401; a valid token of
another sales unit, sent with this unit's key and MSN, is a 403. Both as problem+json, never 2xx or 5xx.
tests/integration/payments/test_payments_auth.py covers the ePayment routes' headers in more depth.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from tests.harness import ApiSession, InProcessKasse, advance_clock, assert_problem, in_process, shared_kasse
from tests.integration.security.routes import Endpoint, classify, every_endpoint, merchant_endpoints

shared = shared_kasse("tokens", rate_limits=False)


def _send(k: InProcessKasse, endpoint: Endpoint, headers: dict[str, str]) -> httpx.Response:
    body: dict[str, Any] | None = {} if endpoint.method in ("POST", "PUT") else None
    r: httpx.Response = k.client.request(endpoint.method, endpoint.url(), json=body,
                                         headers={"Idempotency-Key": "security-key-1", **headers})
    return r


def _refusals(k: InProcessKasse, headers: dict[str, str], status: int) -> list[str]:
    """Return what went wrong on each merchant endpoint; an empty list when each refused as it should."""
    wrong = []
    for endpoint in merchant_endpoints(k.client.app):
        r = _send(k, endpoint, headers)
        try:
            assert_problem(r, status)
        except AssertionError:
            wrong.append(f"{endpoint}: {r.status_code} {r.headers.get('content-type')} {r.text[:200]}")
    return wrong


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(token: str) -> dict[str, object]:
    found: dict[str, object] = jwt.decode(token, options={"verify_signature": False})
    return found


def _resigned(token: str, _: ApiSession) -> str:
    return jwt.encode(_claims(token), "a-32-byte-key-kasse-never-signs-with", algorithm="HS256")


def _alg_none(token: str, _: ApiSession) -> str:
    return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(_claims(token))}."


def _tampered(token: str, other: ApiSession) -> str:
    # this unit's signature over a payload rewritten to name another sales unit and its keys
    header, _payload, signature = token.split(".")
    claims = {**_claims(token), "msn": other.creds.msn, "kh": _claims(other.token)["kh"]}
    return f"{header}.{_b64(claims)}.{signature}"


def _expiry_pushed(token: str, _: ApiSession) -> str:
    header, _payload, signature = token.split(".")
    claims = _claims(token)
    return f"{header}.{_b64({**claims, 'exp': int(str(claims['exp'])) + 86400})}.{signature}"


FORGERIES: dict[str, Callable[[str, ApiSession], str]] = {
    "signed-with-another-key": _resigned,
    "alg-none": _alg_none,
    "payload-names-another-unit": _tampered,
    "expiry-pushed-back": _expiry_pushed,
}


def test_every_route_is_classified_and_each_api_has_merchant_endpoints(shared: InProcessKasse) -> None:
    endpoints = every_endpoint(shared.client.app)

    reasons = {str(e): classify(e) for e in endpoints}

    merchant = {e.path.split("/")[1] for e in endpoints if e.merchant}
    assert merchant == {"epayment", "webhooks", "qr", "order-management"}, reasons


@pytest.mark.parametrize(
    "authorization",
    [None, "", "{token}", "Basic {token}", "bearer {token}", "Bearer", "Bearer ", "Bearer not-a-jwt",
     "Bearer a.b.c", "Bearer {token}x"],
    ids=["missing", "empty", "no-scheme", "basic", "lowercase", "scheme-only", "scheme-space", "garbage",
         "three-garbage-parts", "truncated-signature"],
)
def test_a_missing_or_malformed_token_is_unauthorized_everywhere(shared: InProcessKasse,
                                                                 authorization: str | None) -> None:
    headers = shared.demo.headers()
    del headers["Authorization"]
    if authorization is not None:
        headers["Authorization"] = authorization.format(token=shared.demo.token)

    assert _refusals(shared, headers, 401) == []


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_a_forged_token_is_unauthorized_everywhere(shared: InProcessKasse,
                                                   forge: Callable[[str, ApiSession], str]) -> None:
    other = shared.session(shared.demo.new_merchant())
    victim = other if forge is _tampered else shared.demo
    headers = victim.headers(Authorization=f"Bearer {forge(shared.demo.token, other)}")

    assert _refusals(shared, headers, 401) == []


def test_another_sales_units_valid_token_is_forbidden_everywhere(shared: InProcessKasse) -> None:
    other = shared.session(shared.demo.new_merchant())
    headers = shared.demo.headers(Authorization=f"Bearer {other.token}")

    assert _refusals(shared, headers, 403) == []


@pytest.fixture(scope="module")
def expired(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessKasse]:
    """A kasse whose clock moved past the demo token's hour (contract §2.1)."""
    for k in in_process(Path(tmp_path_factory.mktemp("expired")), rate_limits=False):
        advance_clock(k.client, 3601)
        yield k


def test_an_expired_token_is_unauthorized_everywhere(expired: InProcessKasse) -> None:
    assert _refusals(expired, expired.demo.headers(), 401) == []


def test_a_fresh_token_after_expiry_passes_authentication_everywhere(expired: InProcessKasse) -> None:
    fresh = expired.session(expired.demo.creds)

    statuses = {str(e): _send(expired, e, fresh.headers()).status_code for e in merchant_endpoints(expired.client.app)}

    assert not {e: s for e, s in statuses.items() if s in (401, 403) or s >= 500}
