"""What every console page shares: the templates, the container, and how amounts and times read."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from kasse.api.context import container
from kasse.container import Container
from kasse.domain.money import Currency, Money, format_local


def _csrf(request: Request) -> dict[str, Any]:
    # every form carries the token the CSRF middleware set (kasse.api.csrf)
    return {"csrf_token": (request.scope.get("state") or {}).get("csrf_token", "")}


TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"), context_processors=[_csrf])

# the console's sections, in the order of its navigation bar: (key, label, path)
SECTIONS = (
    ("payments", "Payments", "/console/payments"),
    ("requests", "Requests", "/console/requests"),
    ("webhooks", "Webhooks", "/console/webhooks"),
    ("time", "Time & faults", "/console/time"),
    ("units", "Sales units & users", "/console/units"),
    ("ledgers", "Ledgers", "/console/ledgers"),
)


def money(amount: int | Money, currency: str | None = None) -> str:
    """Amounts as people read them ("140,00 kr"); minor units with a currency, or a `Money`."""
    if isinstance(amount, Money):
        return format_local(amount)
    return format_local(Money(amount, Currency(currency or "NOK")))


def when(moment: datetime | None) -> str:
    """A moment to the second, in UTC (the console is about ordering, not the shop's wall clock)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


TEMPLATES.env.filters.update(money=money, when=when)


def console_container(request: Request) -> Container:
    """The container of the app serving this request."""
    return container(request)


def render(request: Request, template: str, section: str, status: int = 200, **context: Any) -> HTMLResponse:
    """Render a console page; `section` is the navigation bar's key of the page."""
    return TEMPLATES.TemplateResponse(request, template, {"sections": SECTIONS, "section": section, **context},
                                      status_code=status)
