"""`/`: the front door. What is running, where everything is, and in test mode how to make a first payment.

The one console page production serves too (`console.install`): there it says only that this is kasse in
production and where the API docs are, since the console, the demo unit and its credentials do not exist.
A test instance reachable from the network shows strangers only where things are; what it runs on and the
first payment are for this machine and for the operator (signed in, or with the token).
`kasse serve`'s banner lists the same places (`places`).
"""

from __future__ import annotations

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from kasse import __version__
from kasse.api.operator import OperatorGate
from kasse.console.views import console_container, render
from kasse.exposure import request_is_local
from kasse.settings import DEMO, Settings

router = APIRouter(include_in_schema=False)

# (label, path, what it is): the pages of a test instance, in the order a newcomer needs them
PLACES = (
    ("Console", "/console", "every payment, request, event and webhook attempt"),
    ("Till", "/pos", "the POS a cashier uses: cart, QR, phone number, scanner"),
    ("Customer display", "/pos/display/till-1", "the till's second screen: the one-time QR with the amount"),
    ("Wallet", "/wallet", "the customer's app: test users, personal QR, scan, approve"),
    ("Vending machine", "/pos/vending/7", "a printed callback QR: scan, choose, pay the item"),
    ("Trust shop", "/pos/shop/honesty-1/qr", "a redirect QR to the shop's own page, paid by web redirect"),
    ("API docs", "/docs", "every operation, tried from the browser (also /redoc)"),
)

_PRODUCTION = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>kasse</title>
<style>body{font-family:system-ui,sans-serif;background:#f5f4fa;color:#14131a;margin:0;display:grid;
place-items:center;min-height:100vh}main{background:#fff;border-radius:16px;padding:24px 28px;margin:16px;
box-shadow:0 1px 3px rgba(20,19,26,.1)}h1{margin:0 0 6px;font-size:1.4rem}a{color:#3b2ccf}</style></head>
<body><main><h1>kasse</h1><p>Running in production mode.</p><p><a href="/docs">API documentation</a></p></main>
</body></html>"""


def first_payment(base: str) -> str:
    """Return a shell snippet that gets a token and creates a QR payment with the demo sales unit."""
    keys = (f"-H 'Ocp-Apim-Subscription-Key: {DEMO.subscription_key}' -H 'Merchant-Serial-Number: {DEMO.msn}'")
    return (
        f"TOKEN=$(curl -s -X POST {base}/accesstoken/get -H 'client_id: {DEMO.client_id}' \\\n"
        f"  -H 'client_secret: {DEMO.client_secret}' {keys} \\\n"
        "  | sed -E 's/.*\"access_token\":\"([^\"]+)\".*/\\1/')\n"
        f"curl -s -X POST {base}/epayment/v1/payments -H \"Authorization: Bearer $TOKEN\" \\\n"
        f"  {keys} \\\n"
        "  -H \"Idempotency-Key: $(date +%s%N)\" -H 'Content-Type: application/json' \\\n"
        "  -d '{\"amount\":{\"currency\":\"NOK\",\"value\":4900},\"paymentMethod\":{\"type\":\"WALLET\"},"
        "\"reference\":\"first-'$(date +%s)'\",\"userFlow\":\"QR\",\"customerInteraction\":\"CUSTOMER_PRESENT\","
        "\"paymentDescription\":\"My first kasse payment\"}'\n"
    )


def database_kind(settings: Settings) -> str:
    """Name the store's kind, never where it is."""
    return "PostgreSQL" if settings.database_url else "SQLite"


def is_operator(request: Request, settings: Settings) -> bool:
    """Tell whether the request comes from this machine to a loopback instance, or from the signed-in operator."""
    local = request_is_local(request.scope, settings.exposed)
    return local or OperatorGate(request.app, settings).admits(request.scope)


@router.get("/")
async def front_door(request: Request) -> Response:
    """The front door; in production a page that reveals nothing but the docs."""
    c = console_container(request)
    if c.settings.production:
        return HTMLResponse(_PRODUCTION)
    base = (c.settings.public_url or str(request.base_url)).rstrip("/")  # behind a proxy: the address people use
    if not is_operator(request, c.settings):
        return render(request, "front_door.html", "", version=__version__, places=PLACES, base=base, operator=False)
    units = await c.db.query(lambda uow: len(uow.merchants.list()))
    return render(request, "front_door.html", "", version=__version__, database=database_kind(c.settings),
                  units=units, places=PLACES, demo=DEMO, curl=first_payment(base), base=base, operator=True)
