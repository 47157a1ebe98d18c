"""Order Management API v2 (contract §7, O1–O3): receipts and category links of orders.

The receipt POST answers 201 with a JSON string (the receipt's id), the category PUT 200 with one;
errors use the API's `invalidParams` shape, as `application/json`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, RootModel
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.body import read_body
from kasse.api.invalid_params import from_error, parse_params
from kasse.api.operations import Access, Answer, Api, Operation, Shape, routes, system_headers
from kasse.api.responses import json_response
from kasse.api.schemas.common import Receipt
from kasse.api.schemas.qr import CategoryIn
from kasse.container import Container
from kasse.domain.receipt import OrderError
from kasse.services import receipts as use
from kasse.services.ports import UnitOfWork

T = TypeVar("T")


class StoredId(RootModel[str]):
    model_config = ConfigDict(json_schema_extra={"examples": ["6c2e7b1a-3f4d-4c8e-9a1b-2d3e4f5a6b7c"]})


class OrderOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{
        "category": {"category": "RECEIPT", "orderDetailsUrl": "https://example.com/orders/acme-shop-123"},
        "receipt": {"orderLines": [{"name": "Coffee", "id": "line-1", "totalAmount": 4500,
                                    "totalAmountExcludingTax": 3600, "totalTaxAmount": 900, "taxRate": 2500}],
                    "bottomLine": {"currency": "NOK", "posId": "till-1"}}}]})

    category: dict[str, Any] | None = None
    receipt: dict[str, Any] | None = None


async def _write(c: Container, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return await c.db.write(fn)
    except OrderError as err:
        raise from_error(err) from None


def _key(request: Request) -> tuple[Container, str, str, str]:
    params = request.path_params
    return request.app.state.container, request.user.msn, params["payment_type"], params["order_id"]


async def add_receipt(request: Request) -> Response:
    c, msn, payment_type, order_id = _key(request)
    body = parse_params(Receipt, await read_body(request))
    wire = body.to_wire()
    stored = await _write(c, lambda uow: use.add_receipt(uow, c.clock, c.ids, msn, payment_type, order_id, wire))
    return json_response(stored.receipt_id, status=201)


async def put_category(request: Request) -> Response:
    c, msn, payment_type, order_id = _key(request)
    body = parse_params(CategoryIn, await read_body(request))
    link = await _write(c, lambda uow: use.put_category(uow, c.clock, c.ids, msn, payment_type, order_id,
                                                        body.category, body.orderDetailsUrl, body.imageId))
    return json_response(link.category_id)


async def get_order(request: Request) -> Response:
    c, msn, payment_type, order_id = _key(request)
    try:
        order = c.db.read(lambda uow: use.get_order(uow, msn, payment_type, order_id))
    except OrderError as err:
        raise from_error(err) from None
    out: dict[str, object] = {}
    if order.category is not None:
        out["category"] = order.category.to_wire()
    if order.receipt is not None:
        out["receipt"] = order.receipt
    return json_response(out)


ORDER_MANAGEMENT = Api("Order Management", "Receipts and links shown with a payment in the customer's app.",
                       Shape.PARAMS)
PREFIX = "/order-management/v2/{payment_type}"
SYSTEM = system_headers(100)
_KEY: dict[str, dict[str, Any]] = {"payment_type": {"type": "string", "enum": ["ECOM", "RECURRING"], "example": "ECOM"},
        "order_id": {"type": "string", "pattern": r"^[0-9A-Za-z-_\.]+$", "example": "acme-shop-123-order1"}}

OPERATIONS = (
    Operation("POST", PREFIX + "/receipts/{order_id}", add_receipt, "postReceiptV2", ORDER_MANAGEMENT,
              "Add a receipt", "Attach the order lines and bottom line to a payment (an ePayment payment is an "
              "ECOM order whose orderId is its reference). A receipt cannot be changed once sent.",
              Answer(201, "Stored: the receipt's id", StoredId), Access.MERCHANT, SYSTEM, Receipt,
              refusals=(409,), path_params=_KEY),
    Operation("PUT", PREFIX + "/categories/{order_id}", put_category, "putCategoryV2", ORDER_MANAGEMENT,
              "Set the order's category link", "A link (receipt, ticket, booking ...) shown with the payment in "
              "the app; the latest one replaces the one before.",
              Answer(200, "Stored: the link's id", StoredId), Access.MERCHANT, SYSTEM, CategoryIn, path_params=_KEY),
    Operation("GET", PREFIX + "/{order_id}", get_order, "getOrderV2", ORDER_MANAGEMENT, "Get an order's details",
              "The category link and the receipt of an order, whichever are stored.",
              Answer(200, "The order's details", OrderOut), Access.MERCHANT, SYSTEM, path_params=_KEY),
)

ROUTES = routes(OPERATIONS)
