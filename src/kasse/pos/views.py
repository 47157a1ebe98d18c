"""What the POS pages show: amounts as a Norwegian till writes them, and one terminal's state as JSON."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from kasse.pos.cart import Cart, build_cart, kr
from kasse.pos.local_time import iso_time, local_time
from kasse.pos.runtime import PosRuntime
from kasse.pos.sale import Sale, SaleStatus, status_class, status_label
from kasse.pos.service import PosService


def page_context(request: Request) -> dict[str, Any]:
    """What every page shows besides its own data: who is signed in, and the CSRF token for its forms."""
    state = request.scope.get("state") or {}
    return {"staff": state.get("staff"), "csrf_token": state.get("csrf_token", "")}


TEMPLATES = Jinja2Templates(directory=str(Path(__file__).resolve().parent / "templates"),
                            context_processors=[page_context])
METHOD_NAMES = {"qr": "QR on display", "scan": "Scanned personal QR", "phone": "Phone number",
                "vending": "Vending machine", "shop": "Trust shop"}


def vat_percent(rate: int) -> str:
    return f"{rate // 100}" + (f",{rate % 100:02d}".rstrip("0") if rate % 100 else "") + " %"


def sold_at(sale: Sale) -> str:
    return local_time(sale.created_at, sale.currency)


def sold_at_iso(sale: Sale) -> str:
    return iso_time(sale.created_at, sale.currency)


TEMPLATES.env.filters["kr"] = kr
TEMPLATES.env.filters["vat"] = vat_percent
TEMPLATES.env.filters["sold_at"] = sold_at
TEMPLATES.env.filters["sold_at_iso"] = sold_at_iso
TEMPLATES.env.filters["label"] = status_label
TEMPLATES.env.filters["badge"] = status_class
TEMPLATES.env.globals["method_names"] = METHOD_NAMES


def runtime(request: Request) -> PosRuntime:
    found: PosRuntime = request.app.state.pos
    return found


def pos(request: Request) -> PosService:
    return runtime(request).service


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    return TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)


def cart_json(cart: Cart) -> dict[str, Any]:
    return {
        "lines": [{"id": ln.product.id, "name": ln.product.name, "quantity": ln.quantity,
                   "unitPrice": kr(ln.product.price), "total": kr(ln.total), "vat": kr(ln.vat),
                   "vatRate": vat_percent(ln.product.vat_rate)} for ln in cart.lines],
        "count": cart.count, "total": kr(cart.total), "totalMinor": cart.total, "vat": kr(cart.vat),
    }


def sale_json(sale: Sale) -> dict[str, Any]:
    return {"reference": sale.reference, "status": sale.status.value, "label": status_label(sale),
            "message": sale.message,
            "method": sale.method, "methodName": METHOD_NAMES.get(sale.method, sale.method),
            "total": kr(sale.total), "totalMinor": sale.total, "captured": kr(sale.captured),
            "capturedMinor": sale.captured, "qrUrl": sale.qr_url, "receiptNumber": sale.receipt_number,
            "customer": sale.customer, "settled": sale.settled, "awaitingChoice": sale.awaiting_choice}


def terminal_state(service: PosService, terminal: str) -> dict[str, Any]:
    cart = build_cart(service.store.cart(terminal), service.store.products())
    sale = service.store.latest_sale(terminal)
    dismissed = service.store.setting(f"dismissed:{terminal}")
    shown = sale if sale is not None and (sale.status is SaleStatus.PENDING or sale.reference != dismissed) else None
    return {"terminal": terminal, "shop": service.config.shop_name, "cart": cart_json(cart),
            "sale": sale_json(shown) if shown else None}
