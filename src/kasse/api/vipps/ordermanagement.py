"""Order Management API v2 (contract §7, O1–O3): receipts and category links of orders.

The receipt POST answers 201 with a JSON string (the receipt's id), the category PUT 200 with one;
errors use the API's `invalidParams` shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kasse.api.auth import authorize
from kasse.api.body import read_body
from kasse.api.context import container
from kasse.api.invalid_params import from_error, parse_params
from kasse.api.responses import json_response
from kasse.api.schemas.common import Receipt
from kasse.api.schemas.qr import CategoryIn
from kasse.container import Container
from kasse.domain.receipt import OrderError
from kasse.services import receipts as use
from kasse.services.ports import UnitOfWork

router = APIRouter(prefix="/order-management/v2", tags=["Order Management"])
T = TypeVar("T")


async def _write(c: Container, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return await c.db.write(fn)
    except OrderError as err:
        raise from_error(err) from None


@router.post("/{payment_type}/receipts/{order_id}")
async def add_receipt(payment_type: str, order_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    body = parse_params(Receipt, await read_body(request))
    wire = body.model_dump(exclude_none=True)
    stored = await _write(c, lambda uow: use.add_receipt(uow, c.clock, c.ids, msn, payment_type, order_id, wire))
    return json_response(stored.receipt_id, status=201)


@router.put("/{payment_type}/categories/{order_id}")
async def put_category(payment_type: str, order_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
    body = parse_params(CategoryIn, await read_body(request))
    link = await _write(c, lambda uow: use.put_category(uow, c.clock, c.ids, msn, payment_type, order_id,
                                                        body.category, body.orderDetailsUrl, body.imageId))
    return json_response(link.category_id)


@router.get("/{payment_type}/{order_id}")
async def get_order(payment_type: str, order_id: str, request: Request) -> Response:
    c = container(request)
    msn = authorize(request, c.tokens, c.clock)
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
