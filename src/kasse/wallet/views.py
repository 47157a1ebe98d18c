"""What every wallet page shares: templates, the logged-in user, and how amounts, numbers and times read."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.templating import Jinja2Templates

from kasse.api.context import container
from kasse.api.problems import ProblemError
from kasse.container import Container
from kasse.domain.inbox import MESSAGES, WalletRefusal
from kasse.domain.money import Money, format_local
from kasse.domain.payment import Payment
from kasse.domain.user import User, age_on


def _csrf(request: Request) -> dict[str, Any]:
    # every form carries the token the CSRF middleware set (kasse.api.csrf)
    return {"csrf_token": (request.scope.get("state") or {}).get("csrf_token", "")}


TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"), context_processors=[_csrf])
COOKIE = "kasse_wallet_user"

# how the wallet writes amounts: symbol before or after, as people in each market read them
_COUNTRY_CODES = ("358", "47", "45")


def money(amount: Money) -> str:
    return format_local(amount)


def phone(msisdn: str) -> str:
    code = next((c for c in _COUNTRY_CODES if msisdn.startswith(c)), "")
    rest = msisdn[len(code):]
    groups = " ".join(rest[i:i + 2] for i in range(0, len(rest), 2)) if len(rest) == 8 else rest
    return f"+{code} {groups}" if code else msisdn


def when(moment: datetime) -> str:
    return moment.strftime("%d %b %H:%M")


def initials(name: str) -> str:
    return "".join(part[0] for part in name.split()[:2]).upper() or "?"


TEMPLATES.env.filters.update(money=money, phone=phone, when=when, initials=initials)


def return_url(payment: Payment) -> str | None:
    """Where a web payment sends its customer once answered (WEB_REDIRECT's `returnUrl`); None for the others.

    A payment pushed to a phone at a till has nowhere to return to; a web shop's customer must get back.
    """
    details = payment.details
    url = details.get("returnUrl")
    return url if details.get("userFlow") == "WEB_REDIRECT" and isinstance(url, str) and url else None


def wallet_container(request: Request) -> Container:
    """The container, refusing the whole wallet in production mode: it is a simulator."""
    c = container(request)
    if c.settings.production:
        raise ProblemError(404, "Not found")
    return c


def current_user(request: Request) -> User | None:
    msisdn = request.cookies.get(COOKIE)
    if not msisdn:
        return None
    c = wallet_container(request)
    return c.db.read(lambda uow: uow.users.get(msisdn))


def login_redirect(request: Request) -> RedirectResponse:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/wallet/login?next={quote(target, safe='')}", status_code=303)


def go(path: str, error: WalletRefusal | None = None) -> RedirectResponse:
    sep = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{sep}error={error.value}" if error else path, status_code=303)


def error_text(request: Request) -> str | None:
    raw = request.query_params.get("error")
    try:
        return MESSAGES[WalletRefusal(raw)] if raw else None
    except ValueError:
        return None


def render(request: Request, template: str, user: User | None, status: int = 200, **context: Any) -> Response:
    c = wallet_container(request)
    base: dict[str, Any] = {"user": user, "error": error_text(request), "now": c.clock.now()}
    if user is not None:
        base["age"] = age_on(user.birth_date, c.clock.now().date())
    response: HTMLResponse = TEMPLATES.TemplateResponse(request, template, {**base, **context}, status_code=status)
    response.headers["cache-control"] = "no-store"
    return response
