"""Receipts and category links of orders (contract §7): attach, replace the category, read both back.

A receipt is immutable once there: one sent in the ePayment create request counts, so a later POST
for that order is a conflict. Nothing checks that the order exists (contract §7), so data may come
before the payment does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kasse.domain.receipt import OrderCategory, OrderError, OrderErrorKind, StoredReceipt
from kasse.services.ports import Clock, Ids, UnitOfWork

PAYMENT_TYPES = frozenset({"ECOM", "RECURRING"})
ORDER_ID = re.compile(r"^[0-9A-Za-z-_\.]+$")
ORDER_ID_MAX = 128
# ePayment payments are ECOM orders whose orderId is the payment reference (contract §5.5)
EPAYMENT_TYPE = "ECOM"


@dataclass(frozen=True, slots=True)
class Order:
    """What is known about an order: its category link and its receipt, either may be missing."""

    category: OrderCategory | None
    receipt: dict[str, Any] | None


def check_order_key(payment_type: str, order_id: str) -> None:
    """Refuse a payment type or order id the API does not know.

    Raises:
        OrderError: INVALID, naming the bad path parameter.
    """
    problems = []
    if payment_type not in PAYMENT_TYPES:
        problems.append(("paymentType", "The value must be one of ECOM, RECURRING."))
    if len(order_id) > ORDER_ID_MAX or not ORDER_ID.match(order_id):
        problems.append(("orderId", f"The field orderId must match the regular expression '{ORDER_ID.pattern}'."))
    if problems:
        raise OrderError(OrderErrorKind.INVALID, "One or more validation errors occurred.", problems)


def receipt_of(uow: UnitOfWork, msn: str, payment_type: str, order_id: str) -> dict[str, Any] | None:
    """Return the order's receipt: the one attached later, else the one in the payment's create request."""
    stored = uow.receipts.get_receipt(msn, payment_type, order_id)
    if stored is not None:
        return stored.body
    if payment_type != EPAYMENT_TYPE:
        return None
    payment = uow.payments.get(msn, order_id)
    receipt = payment.details.get("receipt") if payment is not None else None
    return receipt if isinstance(receipt, dict) else None


def add_receipt(uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, payment_type: str, order_id: str,
                body: dict[str, Any]) -> StoredReceipt:
    """Attach a receipt to an order once.

    Raises:
        OrderError: INVALID path parameters, or CONFLICT when the order has a receipt already.
    """
    check_order_key(payment_type, order_id)
    if receipt_of(uow, msn, payment_type, order_id) is not None:
        raise OrderError(OrderErrorKind.CONFLICT, f"Order '{order_id}' already has a receipt; receipts are immutable")
    receipt = StoredReceipt(ids.psp_reference(), body)
    uow.receipts.add_receipt(msn, payment_type, order_id, receipt, clock.now())
    return receipt


def put_category(uow: UnitOfWork, clock: Clock, ids: Ids, msn: str, payment_type: str, order_id: str,
                 category: str, order_details_url: str, image_id: str | None) -> OrderCategory:
    """Attach or replace the order's category link; only the latest is shown (contract §7.2).

    Raises:
        OrderError: INVALID path parameters.
    """
    check_order_key(payment_type, order_id)
    before = uow.receipts.get_category(msn, payment_type, order_id)
    link = OrderCategory(before.category_id if before else ids.psp_reference(), category, order_details_url, image_id)
    uow.receipts.put_category(msn, payment_type, order_id, link, clock.now())
    return link


def get_order(uow: UnitOfWork, msn: str, payment_type: str, order_id: str) -> Order:
    """Return the order's category and receipt.

    Raises:
        OrderError: NOT_FOUND when neither is known (or the path names no possible order).
    """
    try:
        check_order_key(payment_type, order_id)
    except OrderError as err:  # contract §7: this GET lists no 400; no order can have a key the API refuses
        raise OrderError(OrderErrorKind.NOT_FOUND, f"No order details for '{order_id}'", err.invalid_params) from None
    order = Order(uow.receipts.get_category(msn, payment_type, order_id), receipt_of(uow, msn, payment_type, order_id))
    if order.category is None and order.receipt is None:
        raise OrderError(OrderErrorKind.NOT_FOUND, f"No order details for '{order_id}'")
    return order
