"""Every HTTP route kasse serves, read from the app itself, each classified as merchant API or not.

A route that fits no rule fails `classify`, so a new endpoint cannot slip past the security tests.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute, Mount, Route

# the Vipps MobilePay APIs: every route below these needs the merchant's token, key and MSN (contract §2.3)
MERCHANT_PREFIXES = ("/epayment/v1/", "/webhooks/v1/", "/qr/v1", "/order-management/v2/")

# why each of the other routes is served without a merchant token
OPEN_PREFIXES = {
    "/accesstoken/get": "issues the token, from client id, secret and subscription key",
    "/miami/v1/token": "issues accounting partners' tokens, from Basic client credentials",
    # merchant or accounting-partner tokens, 401 {code, message} and 404 for another's ledger (not 403):
    # tested in tests/integration/settlement/test_report_auth.py
    "/settlement/v1/": "the Report API's own token rules",
    "/report/": "the Report API's own token rules",
    "/_kasse/": "test-only control plane, absent in production mode",
    "/wallet": "the simulated customer app, with its own login",
    "/pos": "the POS app: a client of the platform with its own sales unit credentials",
    "/qr-image/": "QR images are unauthenticated, embeddable anywhere (contract §6)",
    "/q/": "what a printed static QR encodes: any phone camera opens it",
    "/p/": "the payment QR's target, opened by the customer's phone",
    "/landing": "the landing page a customer types a phone number into",
    "/openapi.json": "the API description",
    "/docs": "the API description",
    "/redoc": "the API description",
    "/console": "the sandbox console: test mode only, behind the operator token when exposed (test_operator_token)",
    "/console/signin": "the operator's sign-in page: it checks the operator token itself",
    "/console/signout": "forgets the operator's browser session",
}

PATH_VALUES = {
    "reference": "security-" + uuid.uuid4().hex[:16],
    "webhook_id": str(uuid.uuid4()),
    "qr_id": "security-qr",
    "merchant_qr_id": "security-callback-qr",
    "beacon_id": "security-beacon-1",
    "delivery_id": "1",
    "fault_id": "security-fault",
    "msisdn": "4712345678",
    "payment_type": "ECOM",
    "order_id": "security-order-1",
}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str
    refuses_method: bool = False  # the hot routes' 405 for a method the path does not serve

    @property
    def merchant(self) -> bool:
        return classify(self) == "merchant"

    def url(self, **values: str) -> str:
        return self.path.format(**{**PATH_VALUES, **values})

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


# routes open at exactly this path (a prefix rule for "/" would cover every route)
OPEN_PATHS = {"/": "the front door: where things are; credentials only on loopback in test mode"}


def classify(endpoint: Endpoint) -> str:
    """Return "merchant", "405" or the reason the route is open; fail for a route no rule covers."""
    if endpoint.path in OPEN_PATHS:
        return OPEN_PATHS[endpoint.path]
    if endpoint.path.startswith(MERCHANT_PREFIXES):
        return "405" if endpoint.refuses_method else "merchant"
    for prefix, reason in OPEN_PREFIXES.items():
        if endpoint.path == prefix or endpoint.path.startswith(prefix if prefix.endswith("/") else prefix + "/"):
            return reason
    raise AssertionError(f"{endpoint} is not classified: add it to MERCHANT_PREFIXES or OPEN_PREFIXES")


def _walk(routes: list[BaseRoute], prefix: str = "") -> list[Endpoint]:
    found: list[Endpoint] = []
    for route in routes:
        if isinstance(route, Mount):
            inner = getattr(route.app, "routes", None)
            if inner is None:  # static files
                found.append(Endpoint("GET", prefix + route.path + "/{path}"))
            else:
                found.extend(_walk(inner, prefix + route.path))
        elif isinstance(route, Route):
            refuses = getattr(route.endpoint, "__name__", "") == "method_not_allowed"
            found.extend(Endpoint(m, prefix + route.path, refuses) for m in sorted(route.methods or ()) if m != "HEAD")
        else:  # FastAPI's included routers
            for context in iter_route_contexts([route]):
                found.extend(Endpoint(m, prefix + (context.path or ""))
                             for m in sorted(context.methods or ()) if m != "HEAD")
    return found


def every_endpoint(app: Any) -> list[Endpoint]:
    """Return every method and path `app` (kasse's Starlette front) serves."""
    return _walk(list(app.routes))


def merchant_endpoints(app: Any) -> list[Endpoint]:
    return [e for e in every_endpoint(app) if e.merchant]
