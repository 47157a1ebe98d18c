"""Unmanned points (contract §5.4): a vending machine's printed callback QR, and a trust shop's redirect QR.

Vending: a check-in webhook starts a payment pushed to that customer for the highest price; once the customer
picks an item, its price is captured (and checked) and the rest of the reservation is released.
"""

from __future__ import annotations

import logging

from kasse.pos.cart import Product, vat_included
from kasse.pos.sale import RESERVATION, Sale, SaleStatus
from kasse.pos.service import PosService
from kasse.sdk import CallbackQrFormat, CheckedInEvent, Customer, MerchantCallbackQr, NotFoundError, UserFlow

log = logging.getLogger("kasse.pos.vending")
QR_PREFIX = "vending-"
VENDING_ITEMS = (
    Product("cola", "Cola 0,5 l", 3500, 1500),
    Product("water", "Spring water 0,5 l", 2900, 1500),
    Product("chocolate", "Chocolate bar", 2500, 1500),
    Product("crisps", "Crisps", 3200, 1500),
)


def line_of(product: Product, name: str | None = None) -> dict[str, object]:
    return {"id": product.id, "name": name or product.name, "quantity": 1, "unitPrice": product.price,
            "total": product.price, "vat": vat_included(product.price, product.vat_rate),
            "vatRate": product.vat_rate}


def terminal_of(machine: str) -> str:
    return f"{QR_PREFIX}{machine}"


async def callback_qr(pos: PosService, machine: str) -> MerchantCallbackQr:
    """Set up (idempotently) and return the machine's printed merchant callback QR."""
    qr_id = terminal_of(machine)
    await pos.client.qr.callbacks.put(qr_id, f"Vending machine {machine}"[:36])
    return await pos.client.qr.callbacks.get(qr_id, image=CallbackQrFormat.SVG)


async def on_check_in(pos: PosService, event: CheckedInEvent) -> None:
    """A customer scanned a machine's QR: reserve the highest price with a payment pushed to them."""
    if not event.merchant_qr_id.startswith(QR_PREFIX):
        log.info("check-in at unknown QR %s ignored", event.merchant_qr_id)
        return
    terminal = event.merchant_qr_id
    current = pos.store.latest_sale(terminal)
    if current is not None and current.status is SaleStatus.PENDING:
        log.info("check-in at %s ignored: the machine is busy with %s", terminal, current.reference)
        return
    highest = max(VENDING_ITEMS, key=lambda p: p.price)
    reservation = {**line_of(highest, "Reserved: highest price"), "id": RESERVATION}
    await pos.start_sale(terminal, "vending", highest.price, [reservation],
                         Customer(customer_token=event.customer_token), vending=True,
                         description=f"Vending machine {terminal.removeprefix(QR_PREFIX)}: reserve, then choose")


class ChoiceRefusedError(Exception):
    """No item can be picked now: nothing is reserved yet (or any more), or there is no such item."""


async def choose(pos: PosService, machine: str, item_id: str) -> Sale:
    """The customer picked an item: charge its price and release the rest; only once they approved the reservation.

    Raises:
        ChoiceRefusedError: the customer has not approved (or the sale is over), or the item is unknown.
    """
    from dataclasses import replace

    sale = pos.store.latest_sale(terminal_of(machine))
    item = next((p for p in VENDING_ITEMS if p.id == item_id), None)
    if sale is None or not sale.awaiting_choice or sale.status is not SaleStatus.PENDING:
        raise ChoiceRefusedError("Scan the QR code and approve in the app first.")
    if item is None:
        raise ChoiceRefusedError("No such item.")
    chosen = replace(sale, total=item.price, lines=[line_of(item)], awaiting_choice=False,
                     message=f"{item.name} chosen. Capturing…")
    pos.store.put_sale(chosen)
    pos.make_due(sale.reference)
    pos.notifier.changed()
    return chosen


async def redirect_qr_url(pos: PosService, shop: str) -> str:
    """Set up (idempotently) the trust shop's merchant redirect QR; return its image link."""
    qr_id, target = f"shop-{shop}"[:36], f"{pos.config.public_url}/pos/shop/{shop}"
    try:
        return (await pos.client.qr.redirects.update(qr_id, target)).url
    except NotFoundError:
        return (await pos.client.qr.redirects.create(qr_id, target)).url


async def buy_in_shop(pos: PosService, shop: str, item_id: str) -> str | None:
    """Start a web payment for one item; return the landing page to send the customer's browser to."""
    item = next((p for p in VENDING_ITEMS if p.id == item_id), None)
    if item is None:
        return None
    sale = await pos.start_sale(f"shop-{shop}", "shop", item.price, [line_of(item)], None,
                                user_flow=UserFlow.WEB_REDIRECT, description=f"Trust shop {shop}",
                                return_url=f"{pos.config.public_url}/pos/shop/{shop}/receipt/{{reference}}")
    return sale.qr_url if sale.status is SaleStatus.PENDING else f"/pos/shop/{shop}/receipt/{sale.reference}"
