"""Cross-site request defence for the browser pages (`/pos`, `/wallet`, `/console`) and the control plane.

A page request that changes something passes two checks, so a page on another site can make the browser
send it but never make it count:
1. where it comes from: `Sec-Fetch-Site` is not `cross-site` or `same-site`, and an `Origin`, if sent, is
   this kasse's own (the request's host, or the public URL behind a proxy);
2. a CSRF token: the `kasse_csrf` cookie (set on any page, readable by the page's script) sent back as the
   form field `csrf_token` or the header `X-CSRF-Token` (the double-submit pattern).
A refused request gets 403 before any route runs. `/_kasse` is not cookie based (CLI, SDK and curl send
neither header and keep working) but a page on another site could still post to a loopback kasse, so
check 1 applies to it as well. The POS's webhook receiver is signed by the platform and exempt.
"""

from __future__ import annotations

import hmac
import re
import secrets
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kasse.api.problems import problem_response
from kasse.exposure import request_is_https
from kasse.settings import Settings


class Paths:
    """Some paths and everything below them, checked with two C-level lookups (this runs on every request)."""

    def __init__(self, *roots: str) -> None:
        self.roots, self.below = frozenset(roots), tuple(root + "/" for root in roots)

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and (path in self.roots or path.startswith(self.below))


COOKIE = "kasse_csrf"
FIELD = "csrf_token"
HEADER = b"x-csrf-token"
PAGES = Paths("/pos", "/wallet", "/console")
CONTROL = Paths("/_kasse")
EXEMPT = Paths("/pos/webhooks")  # the platform's signed deliveries: no browser, no cookie
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
FOREIGN_FETCH = frozenset({b"cross-site", b"same-site"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
MAX_FORM = 9 * 1024 * 1024  # the wallet's photo upload is the largest form (8 MiB)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


class CsrfMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.public_origin = _origin(settings.public_url) if settings.public_url else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path in EXEMPT:
            return await self.app(scope, receive, send)
        if path in CONTROL:
            if self.foreign(scope):
                return await _refuse(scope, receive, send, "a page on another site may not use /_kasse")
            return await self.app(scope, receive, send)
        if path not in PAGES:
            return await self.app(scope, receive, send)
        cookie = _cookie(scope)
        token = cookie or secrets.token_urlsafe(32)
        scope = {**scope, "state": {**scope.get("state", {}), "csrf_token": token}}
        if scope["method"] not in SAFE_METHODS:
            if self.foreign(scope):
                return await _refuse(scope, receive, send, "a page on another site may not send this request")
            presented, receive = await _presented(scope, receive)
            if cookie is None or presented is None or not hmac.compare_digest(presented.encode(), token.encode()):
                return await _refuse(scope, receive, send, "the form is out of date: reload the page and try again")
        await self.app(scope, receive, send if cookie else _setting_cookie(send, token, request_is_https(scope)))

    def foreign(self, scope: Scope) -> bool:
        """Whether the browser says the request comes from a page of another site."""
        headers = dict(scope.get("headers") or ())
        if headers.get(b"sec-fetch-site", b"").strip().lower() in FOREIGN_FETCH:
            return True
        origin = headers.get(b"origin")
        if origin is None:
            return False
        host = headers.get(b"host", b"").decode("latin-1").lower()
        own = f"{'https' if request_is_https(scope) else 'http'}://{host}"
        return origin.decode("latin-1").strip().lower() not in {own, self.public_origin}


def _cookie(scope: Scope) -> str | None:
    found = HTTPConnection(scope).cookies.get(COOKIE)
    return found if found is not None and _TOKEN.fullmatch(found) else None


async def _presented(scope: Scope, receive: Receive) -> tuple[str | None, Receive]:
    """Return the token the request carries (header, else form field) and a `receive` that replays its body."""
    headers = dict(scope.get("headers") or ())
    if HEADER in headers:
        return headers[HEADER].decode("latin-1"), receive
    content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
    if not content_type.startswith(FORM_TYPES):
        return None, receive
    body, more = bytearray(), True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            return None, receive
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > MAX_FORM:
            return None, receive
    replay = _replaying(bytes(body), receive)
    try:
        async with Request(scope, _replaying(bytes(body), receive)).form(max_part_size=MAX_FORM) as form:
            value = form.get(FIELD)
    except Exception:  # a malformed form carries no token; the route would refuse it anyway
        return None, replay
    return (value if isinstance(value, str) else None), replay


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the client's disconnect, when it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


def _setting_cookie(send: Send, token: str, https: bool) -> Callable[[Message], Awaitable[None]]:
    # pages only: a stylesheet or script fetched beside a page's first visit would hand out a token of its own,
    # and the page's forms, rendered with the first, would then be refused
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = MutableHeaders(scope=message)
            if headers.get("content-type", "").startswith("text/html"):
                headers.append("set-cookie", f"{COOKIE}={token}; Path=/; SameSite=Lax" + ("; Secure" if https else ""))
        await send(message)

    return sending


async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
    path: str = scope.get("path", "")
    response: Response
    if path in CONTROL:
        response = problem_response(403, f"Cross-site request refused: {why}.", path)
    elif "/api/" in path:
        response = JSONResponse({"message": f"Refused: {why}."}, status_code=403)
    else:
        response = HTMLResponse(f"<!doctype html><meta name=viewport content='width=device-width'><title>Refused"
                                f"</title><h1>Refused</h1><p>{why[0].upper() + why[1:]}.</p>", status_code=403)
    await response(scope, receive, send)
