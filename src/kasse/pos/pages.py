"""The back office: sales history, a sale's receipt with refunds, the catalogue editor, reconciliation."""

from __future__ import annotations

import re
import secrets
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kasse.pos.cart import VAT_RATES, Product
from kasse.pos.payment_request import CheckoutError
from kasse.pos.reconcile import reconcile
from kasse.pos.views import pos, render

router = APIRouter(prefix="/pos", include_in_schema=False)
_AMOUNT = re.compile(r"\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*(?:kr)?\s*")
# a catalogue entry as the form may write it: every value bounded, a VAT rate only one of the offered ones
NAME_MAX, ID_MAX = 60, 40
_PRODUCT_ID = re.compile(rf"[A-Za-z0-9_-]{{1,{ID_MAX}}}")
VAT_CHOICES = {str(rate): rate for rate in VAT_RATES}


def minor_units(typed: str) -> int | None:
    """Return øre for a typed amount such as `49`, `49,5` or `49.50`; None if it is not one."""
    found = _AMOUNT.fullmatch(typed)
    if not found:
        return None
    return int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))


@router.get("/sales")
async def sales(request: Request) -> Response:
    service = pos(request)
    return render(request, "sales.html", tab="sales", shop=service.config.shop_name, sales=service.store.sales())


@router.get("/sales/{reference}")
async def sale(reference: str, request: Request) -> Response:
    service = pos(request)
    found = service.store.sale(reference)
    if found is None:
        return render(request, "message.html", tab="sales", shop=service.config.shop_name, title="No such sale")
    return render(request, "sale.html", tab="sales", shop=service.config.shop_name, sale=found,
                  error=request.query_params.get("error"), msn=service.config.msn)


@router.post("/sales/{reference}/refund")
async def refund(reference: str, request: Request) -> Response:
    service = pos(request)
    form = await request.form()
    found = service.store.sale(reference)
    full = str(form.get("full") or "")
    amount = (found.captured - found.refunded) if found and full else minor_units(str(form.get("amount") or ""))
    target = f"/pos/sales/{reference}"
    try:
        if amount is None:
            raise CheckoutError("Type an amount such as 25,00.")
        await service.refund(reference, amount)
    except CheckoutError as err:
        return RedirectResponse(f"{target}?error={err.message}", status_code=303)
    return RedirectResponse(target, status_code=303)


@router.get("/catalogue")
async def catalogue(request: Request) -> Response:
    service = pos(request)
    return render(request, "catalogue.html", tab="catalogue", shop=service.config.shop_name,
                  products=service.store.products(), rates=VAT_RATES, error=request.query_params.get("error"))


@router.post("/catalogue")
async def save_product(request: Request) -> Response:
    service = pos(request)
    form = await request.form()
    name, price = str(form.get("name") or "").strip()[:NAME_MAX], minor_units(str(form.get("price") or ""))
    product_id = str(form.get("id") or "") or _new_id(name)
    rate = VAT_CHOICES.get(str(form.get("vat_rate") or "2500").strip())
    if product_id and not _PRODUCT_ID.fullmatch(product_id):
        return _catalogue_error("No such product.")
    if form.get("delete"):
        service.store.delete_product(product_id)
    elif not product_id or not name or price is None or price <= 0:
        return _catalogue_error("Give the product a name and a price such as 49,00.")
    elif rate is None:
        return _catalogue_error("Choose one of the VAT rates.")
    else:
        service.store.save_product(Product(product_id, name, price, rate))
    service.notifier.changed()
    return RedirectResponse("/pos/catalogue", status_code=303)


def _new_id(name: str) -> str:
    # from the name's ASCII letters and digits (`Caffè latte` -> `caff-latte`); a name without any gets a random one
    derived = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:ID_MAX].strip("-")
    return derived or (f"item-{secrets.token_hex(4)}" if name else "")


def _catalogue_error(message: str) -> Response:
    return RedirectResponse(f"/pos/catalogue?error={quote(message)}", status_code=303)


@router.get("/reconcile")
async def reconcile_page(request: Request) -> Response:
    service = pos(request)
    found = await reconcile(service.client, service.store)
    return render(request, "reconcile.html", tab="reconcile", shop=service.config.shop_name, differences=found,
                  count=len(service.store.sales()))
