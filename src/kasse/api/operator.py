"""The operator's door: `/_kasse` and `/console` need the operator token whenever kasse is exposed.

A loopback test instance keeps no door (zero friction). Exposed (production, a non-loopback listener or
a public URL elsewhere), a request needs `Authorization: Bearer <token>` (the CLI and `kasse.testing` send
`$KASSE_ADMIN_TOKEN`) or the cookie the sign-in page sets for browsers. The cookie holds an HMAC of the
token, not the token; a new token signs everyone out. `/_kasse/events/stream` is a sales unit's own
events and asks for that unit's credentials instead (`kasse listen`). In production `/_kasse` does not
exist, nor does the console, so their requests fall through to 404.
"""

from __future__ import annotations

import hashlib
import hmac
import html
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from kasse.api.csrf import Paths
from kasse.api.problems import problem_response
from kasse.exposure import request_is_https, request_is_local
from kasse.settings import Settings

COOKIE = "kasse_operator"
GUARDED = Paths("/_kasse", "/console")
CONSOLE = Paths("/console")
SIGN_IN = "/console/signin"
OPEN = frozenset({SIGN_IN, "/_kasse/events/stream"})
COOKIE_LIFETIME = 12 * 3600  # seconds
DETAIL = ("This kasse is reachable from the network: send the operator token as"
          " 'Authorization: Bearer $KASSE_ADMIN_TOKEN'")
# a loopback test instance reached through a proxy, or under a host name that is not this machine's
NOT_LOCAL = ("This request did not come straight from this machine: behind a proxy, set KASSE_PUBLIC_URL to kasse's"
             " public address and send the operator token kasse then makes")


def session_value(token: str) -> str:
    """Return what the operator's browser cookie holds: derived from the token, useless anywhere else."""
    return hmac.new(token.encode(), b"kasse operator session", hashlib.sha256).hexdigest()


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"authorization":
            scheme, _, credentials = value.decode("latin-1").partition(" ")
            return credentials.strip() if scheme.lower() == "bearer" else None
    return None


def _safe_next(raw: object) -> str:
    text = str(raw or "")
    return text if text.partition("?")[0] in GUARDED else "/console"


class OperatorGate:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.token = settings.admin_token if settings.exposed else None
        self.exposed, self.production = settings.exposed, settings.production

    def admits(self, scope: Scope) -> bool:
        if self.token is None:
            return False
        presented = _bearer(scope)
        if presented is not None:
            return hmac.compare_digest(presented.encode(), self.token.encode())
        cookie = Request(scope).cookies.get(COOKIE, "")
        return hmac.compare_digest(cookie.encode(), session_value(self.token).encode())

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (scope["type"] != "http" or path not in GUARDED or path in OPEN
                or (self.production and path in GUARDED) or request_is_local(scope, self.exposed)
                or self.admits(scope)):
            return await self.app(scope, receive, send)
        response: Response
        if scope["method"] == "GET" and path in CONSOLE:
            query = scope.get("query_string", b"").decode("latin-1")
            target = quote(path + (f"?{query}" if query else ""), safe="")
            response = RedirectResponse(f"{SIGN_IN}?next={target}", status_code=303)
        else:
            response = problem_response(401, DETAIL if self.exposed else NOT_LOCAL, path,
                                        headers={"www-authenticate": 'Bearer realm="kasse operator"'})
        await response(scope, receive, send)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Operator sign-in · kasse</title>
<style>body{{font-family:system-ui,sans-serif;background:#f4f3f8;color:#14131a;margin:0;display:grid;
place-items:center;min-height:100vh;padding:16px;box-sizing:border-box}}form{{background:#fff;border-radius:16px;
padding:24px;max-width:24rem;width:100%;box-shadow:0 1px 3px rgba(20,19,26,.1);box-sizing:border-box}}
h1{{font-size:1.3rem;margin:0 0 6px}}p{{color:#5d5a6d;margin:0 0 14px}}label{{font-weight:600;display:block;
margin-bottom:6px}}input{{font:inherit;width:100%;box-sizing:border-box;padding:12px;border:2px solid #3b2ccf;
border-radius:12px}}button{{font:inherit;font-weight:650;margin-top:14px;width:100%;padding:12px;border:0;
border-radius:12px;background:#3b2ccf;color:#fff}}.error{{background:#fde8ea;color:#b3261e;padding:10px 12px;
border-radius:12px;font-weight:600}}</style></head><body>
<form method="post" action="{action}"><h1>Operator sign-in</h1>
<p>This kasse is reachable from the network. Paste the operator token: <code>$KASSE_ADMIN_TOKEN</code>, printed
by <code>kasse serve</code> when it made it and kept in <code>var/kasse-admin.token</code>.</p>{error}
<label for="token">Operator token</label><input id="token" name="token" type="password" autocomplete="off" required
autofocus><input type="hidden" name="next" value="{next}"><input type="hidden" name="csrf_token" value="{csrf}">
<button type="submit">Sign in</button></form></body></html>"""


def _page(request: Request, next_path: str, error: str = "", status: int = 200) -> HTMLResponse:
    shown = f'<p class="error" role="alert">{html.escape(error)}</p>' if error else ""
    csrf = getattr(request.state, "csrf_token", "")
    return HTMLResponse(_PAGE.format(action=SIGN_IN, error=shown, next=html.escape(next_path), csrf=html.escape(csrf)),
                        status_code=status, headers={"cache-control": "no-store"})


async def sign_in_page(request: Request) -> Response:
    return _page(request, _safe_next(request.query_params.get("next")))


async def sign_in(request: Request) -> Response:
    async with request.form() as form:
        token, next_path = str(form.get("token") or "").strip(), _safe_next(form.get("next"))
    expected: str | None = request.app.state.container.settings.admin_token
    if expected is None or not hmac.compare_digest(token.encode(), expected.encode()):
        return _page(request, next_path, "That is not the operator token.", status=401)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(COOKIE, session_value(expected), max_age=COOKIE_LIFETIME, httponly=True, samesite="strict",
                        secure=request_is_https(request.scope))
    return response


async def sign_out(request: Request) -> Response:
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(COOKIE)
    return response


ROUTES = [
    Route(SIGN_IN, sign_in_page, methods=["GET"]),
    Route(SIGN_IN, sign_in, methods=["POST"]),
    Route("/console/signout", sign_out, methods=["POST"]),
]
