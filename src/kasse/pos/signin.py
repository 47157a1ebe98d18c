"""Staff sign-in and sign-out at the till: a session cookie per staff member (`pos.staff`, `pos.staff_store`)."""

from __future__ import annotations

import asyncio
import math
import time

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from kasse.exposure import request_is_https
from kasse.pos.access import SESSION_COOKIE, SIGN_IN, SIGN_OUT
from kasse.pos.staff import SESSION_LIFETIME, secret_matches
from kasse.pos.views import render, runtime

# an argon2 check takes 19 MiB and tens of ms: two at a time keeps a flood of sign-ins from eating the server
_CHECKING = asyncio.Semaphore(2)


def _safe_next(raw: object) -> str:
    # only pages of the POS, so the sign-in form cannot send anyone elsewhere
    text = str(raw or "")
    return text if (text == "/pos" or text.startswith("/pos/")) and SIGN_IN not in text else "/pos"


def _form(request: Request, next_path: str, name: str = "", error: str | None = None, status: int = 200) -> Response:
    response = render(request, "signin.html", status_code=status, next=next_path, typed=name, error=error,
                      no_staff=not runtime(request).accounts.list())
    response.headers["cache-control"] = "no-store"
    return response


async def sign_in_page(request: Request) -> Response:
    return _form(request, _safe_next(request.query_params.get("next")))


async def sign_in(request: Request) -> Response:
    async with request.form() as form:
        name, secret = str(form.get("name") or "").strip(), str(form.get("pin") or "")
        next_path = _safe_next(form.get("next"))
    accounts = runtime(request).accounts
    async with _CHECKING:
        stored, locked_until = accounts.credentials(name)
        wait = locked_until - time.time()
        if wait > 0:
            return _form(request, next_path, name, f"Too many wrong tries: wait {math.ceil(wait)} s and try again.",
                         429)
        matches = await asyncio.to_thread(secret_matches, stored, secret)
        if not matches:
            accounts.failed(name)
            return _form(request, next_path, name, "Wrong name or PIN.", 401)
    response = RedirectResponse(next_path, status_code=303)
    response.set_cookie(SESSION_COOKIE, accounts.start_session(name), max_age=int(SESSION_LIFETIME), path="/pos",
                        httponly=True, samesite="lax", secure=request_is_https(request.scope))
    return response


async def sign_out(request: Request) -> Response:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        runtime(request).accounts.end_session(token)
    response = RedirectResponse(SIGN_IN, status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/pos")
    return response


ROUTES = [
    Route(SIGN_IN, sign_in_page, methods=["GET"]),
    Route(SIGN_IN, sign_in, methods=["POST"]),
    Route(SIGN_OUT, sign_out, methods=["POST"]),
]
