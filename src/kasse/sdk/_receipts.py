"""`client.receipts`: Order Management v2 (contract §7): a receipt and a category link per order.

The order id of an ePayment payment is its reference, with payment type ECOM. A receipt cannot be
changed once sent (a second one is a 409), so attaching is resent only when it never left.
"""

from __future__ import annotations

from kasse.sdk._call import Call, body, model, new_idempotency_key, optional_string, segment
from kasse.sdk._core import AsyncCore, SyncCore
from kasse.sdk._receipt_models import CategoryLink, OrderCategory, OrderDetails, PaymentType, Receipt

ORDERS = "/order-management/v2"


def _path(payment_type: PaymentType, order_id: str) -> str:
    return f"{ORDERS}/{segment(str(payment_type))}/{segment(order_id)}"


def _attach(order_id: str, receipt: Receipt, payment_type: PaymentType) -> Call[str | None]:
    path = f"{ORDERS}/{segment(str(payment_type))}/receipts/{segment(order_id)}"
    return Call("POST", path, optional_string, body=body(receipt), idempotency_key=new_idempotency_key())


def _categorize(order_id: str, link: CategoryLink, payment_type: PaymentType) -> Call[str | None]:
    path = f"{ORDERS}/{segment(str(payment_type))}/categories/{segment(order_id)}"
    return Call("PUT", path, optional_string, body=body(link), idempotency_key=new_idempotency_key(),
                replayable=True)


def _get(order_id: str, payment_type: PaymentType) -> Call[OrderDetails]:
    return Call("GET", _path(payment_type, order_id), model(OrderDetails), replayable=True)


ECOM = PaymentType.ECOM


class Receipts:
    """Order Management of a `Client`: `client.receipts`."""

    def __init__(self, core: SyncCore) -> None:
        self._core = core

    def attach(self, order_id: str, receipt: Receipt, *, payment_type: PaymentType = ECOM) -> str | None:
        """Attach `receipt` to the order (for ePayment: the payment reference); return the receipt's id.

        Example:
            >>> client.receipts.attach("order-1001", receipt)
        """
        return self._core.run(_attach(order_id, receipt, payment_type))

    def set_category(self, order_id: str, category: OrderCategory, order_details_url: str, *,
                     image_id: str | None = None, payment_type: PaymentType = ECOM) -> str | None:
        """Set (or replace) the order's category and the page the app links to.

        Example:
            >>> client.receipts.set_category("order-1001", OrderCategory.RECEIPT, "https://shop.example.com/r/1001")
        """
        link = CategoryLink(category=category, order_details_url=order_details_url, image_id=image_id)
        return self._core.run(_categorize(order_id, link, payment_type))

    def get(self, order_id: str, *, payment_type: PaymentType = ECOM) -> OrderDetails:
        """Return the order's category link and receipt.

        Example:
            >>> client.receipts.get("order-1001").receipt.bottom_line.pos_id
            'till-1'
        """
        return self._core.run(_get(order_id, payment_type))


class AsyncReceipts:
    """Order Management of an `AsyncClient`; the same methods as `Receipts`, awaited."""

    def __init__(self, core: AsyncCore) -> None:
        self._core = core

    async def attach(self, order_id: str, receipt: Receipt, *, payment_type: PaymentType = ECOM) -> str | None:
        """Attach `receipt` to the order; return the receipt's id.

        Example:
            >>> await client.receipts.attach("order-1001", receipt)
        """
        return await self._core.run(_attach(order_id, receipt, payment_type))

    async def set_category(self, order_id: str, category: OrderCategory, order_details_url: str, *,
                           image_id: str | None = None, payment_type: PaymentType = ECOM) -> str | None:
        """Set (or replace) the order's category link.

        Example:
            >>> await client.receipts.set_category("order-1001", OrderCategory.RECEIPT, url)
        """
        link = CategoryLink(category=category, order_details_url=order_details_url, image_id=image_id)
        return await self._core.run(_categorize(order_id, link, payment_type))

    async def get(self, order_id: str, *, payment_type: PaymentType = ECOM) -> OrderDetails:
        """Return the order's category link and receipt.

        Example:
            >>> details = await client.receipts.get("order-1001")
        """
        return await self._core.run(_get(order_id, payment_type))
