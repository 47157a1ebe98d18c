"""Who may open which part of the POS: staff sign in, and each page needs a role.

`MANAGER_PATHS` names what only a manager may do; every other /pos path needs someone signed in, except
`PUBLIC`: what customers' phones and the platform reach (the trust shop but its printable QR, signed webhooks)
and the sign-in page itself. On a loopback test instance a visitor without a session is the demo manager, so `make run`
opens a working till with every function; signing in as a staff member acts as them instead.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from kasse.exposure import request_is_local
from kasse.pos.points import RULE, malformed_point
from kasse.pos.runtime import PosRuntime
from kasse.pos.staff import DEMO_STAFF, Role, SignedIn, allows
from kasse.settings import Settings

SESSION_COOKIE = "kasse_pos_session"
SIGN_IN, SIGN_OUT = "/pos/signin", "/pos/signout"
PUBLIC_PREFIXES = ("/pos/static/", "/pos/shop/")
PUBLIC_PATHS = frozenset({"/pos/webhooks", SIGN_IN, SIGN_OUT})
# a trust shop's pages are its customers', but not its printable QR: opening that sets a QR up on the platform
SHOP_QR = re.compile(r"/pos/shop/[^/]+/qr")
# refunds, the catalogue, settings, reconciliation, staff and the end of day (pages, their JSON and CSV)
MANAGER_PATHS = re.compile(
    r"/pos/(api/)?(sales/[^/]+/refund|catalogue|reconcile|settings|staff|end-of-day|eod)([/.].*)?")
OFF = """<!doctype html><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>POS off · kasse</title><h1>The POS is off</h1><p>In production mode the POS sells for a sales unit of your own:
set KASSE_POS_MSN, KASSE_POS_CLIENT_ID, KASSE_POS_CLIENT_SECRET and KASSE_POS_SUBSCRIPTION_KEY (from
<code>kasse merchant create</code>) and restart kasse.</p>"""


def needed_role(path: str) -> Role | None:
    """Return the role a /pos path needs; None for the public ones."""
    if SHOP_QR.fullmatch(path):
        return Role.CASHIER
    if path.startswith(PUBLIC_PREFIXES) or path in PUBLIC_PATHS:
        return None
    return Role.MANAGER if MANAGER_PATHS.fullmatch(path) else Role.CASHIER


class StaffGate:
    def __init__(self, app: ASGIApp, runtime: PosRuntime | None, settings: Settings) -> None:
        self.app, self.runtime, self.exposed = app, runtime, settings.exposed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        if scope["type"] != "http" or not (path == "/pos" or path.startswith("/pos/")):
            return await self.app(scope, receive, send)
        if self.runtime is None:
            return await HTMLResponse(OFF, status_code=503)(scope, receive, send)
        if path.startswith(PUBLIC_PREFIXES[0]):  # static files: no one to look up
            return await self.app(scope, receive, send)
        if malformed_point(path):  # before anyone is looked up or anything is read (pos/points.py)
            return await _no_such_point(path)(scope, receive, send)
        needed = needed_role(path)
        who = self.who(scope)
        scope = {**scope, "state": {**scope.get("state", {}), "staff": who}}
        if needed is None or (who is not None and allows(who.role, needed)):
            return await self.app(scope, receive, send)
        await _refusal(scope, who)(scope, receive, send)

    def who(self, scope: Scope) -> SignedIn | None:
        assert self.runtime is not None
        token = HTTPConnection(scope).cookies.get(SESSION_COOKIE)
        found = self.runtime.accounts.session(token) if token else None
        if found is None and request_is_local(scope, self.exposed):
            return DEMO_STAFF
        return found


def _no_such_point(path: str) -> Response:
    if path.startswith("/pos/api/"):
        return JSONResponse({"message": f"No such point of sale: {RULE}."}, status_code=404)
    return HTMLResponse(f"<!doctype html><meta charset='utf-8'><meta name=viewport content='width=device-width'>"
                        f"<title>Not found · kasse</title><h1>Not found</h1><p>No such point of sale: {RULE}.</p>",
                        status_code=404)


def _refusal(scope: Scope, who: SignedIn | None) -> Response:
    from kasse.pos.views import render

    path, query = scope["path"], scope.get("query_string", b"").decode("latin-1")
    here = quote(path + (f"?{query}" if query else ""), safe="")
    api = path.startswith("/pos/api/")
    if who is None:
        if scope["method"] in ("GET", "HEAD") and not api:
            return RedirectResponse(f"{SIGN_IN}?next={here}", status_code=303)
        return JSONResponse({"message": "Sign in first."}, status_code=401)
    if api:
        return JSONResponse({"message": f"Only a manager may do this; {who.name} is signed in as a cashier."},
                            status_code=403)
    back = quote(path if scope["method"] == "GET" else "/pos", safe="")
    return render(Request(scope), "refused.html", status_code=403, next=back)
